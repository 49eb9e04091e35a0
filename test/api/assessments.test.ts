import { existsSync } from 'node:fs';
import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { caller, createCollections, createPerson } from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(2035);

const chromiumPath = process.env.CUSTOS_CHROMIUM_PATH ?? '/usr/bin/chromium';
const uniqueName = (prefix: string) => `${prefix} ${faker.string.alphanumeric(6)}`;
const key = (prefix: string) => `${prefix}_${faker.string.alphanumeric({ length: 8, casing: 'lower' })}`;

type Screening = {
  id: string;
  activityId: string | null;
  result: {
    outcome: string;
    metCount: number;
    facts: { subjects: number | null };
    criteria: { key: string; met: boolean | null; source: string; reasons: string[] }[];
    triggers: { key: string; met: boolean; reasons: string[] }[];
  };
  fingerprint: string;
};

const complete = {
  systematic_description: { text: 'Subscribers are billed monthly.', complete: true },
  purposes_and_interests: { text: 'Performing the subscription contract.', complete: true },
  necessity_and_proportionality: {
    text: 'Only what billing needs, kept for the statutory period.',
    complete: true,
  },
  privacy_risks: { text: 'See the register.', complete: true },
  mitigation_measures: { text: 'Encryption and access control.', complete: true },
  safeguards_and_security: { text: 'Measures of the data map.', complete: true },
  consultation_results: { text: 'A customer panel was consulted.', complete: true },
};
const consultation = {
  consulted: true,
  who: 'Customer panel (12 subscribers)',
  how: 'Online survey',
  results: 'No objections; asked for clearer invoices.',
  whyNot: '',
};

describe('assessments', { timeout: 120_000 }, () => {
  const clock = fixedClock(new Date('2026-06-01T10:00:00Z'));
  let t: TestApp;
  let as: ReturnType<typeof caller>;
  let agent: AuthHeaders;
  let dpo: AuthHeaders;
  let admin: AuthHeaders;
  let scoringKey: string;
  let plainKey: string;
  let measureId: string;

  beforeAll(async () => {
    t = await createTestApp({
      clock,
      env: { DPO_CONTACT: 'dpo@example.com', CUSTOS_CHROMIUM_PATH: chromiumPath },
    });
    as = caller(t);
    agent = await actAs(t, 'privacy_agent');
    dpo = await actAs(t, 'dpo');
    admin = await actAs(t, 'admin');
    await createCollections(t, ['customers', 'orders']);
    const health = await as(dpo, 'POST', '/v1/collections', {
      name: 'health_notes',
      description: 'Notes on a member’s health',
      fields: [
        {
          name: 'condition',
          type: 'string',
          category: 'user.health_and_medical',
          classification: 'restricted',
        },
      ],
    });
    expect(health.statusCode, health.body).toBe(201);
    scoringKey = key('scoring');
    const scoring = await as(dpo, 'POST', '/v1/consent/purposes', {
      key: scoringKey,
      name: 'Eligibility scoring',
      legalBasis: 'contract',
      dataUses: ['essential.fraud_detection'],
      description: 'Scores applications',
      dataCategories: ['user.contact.email'],
      text: 'We score your application automatically.',
      automatedDecisionMaking: {
        applies: true,
        logic: 'A model weighs the declared conditions.',
        significance: 'Applications scored high are refused.',
        consequences: 'You may be refused cover.',
      },
    });
    expect(scoring.statusCode, scoring.body).toBe(201);
    plainKey = key('billing');
    const plain = await as(dpo, 'POST', '/v1/consent/purposes', {
      key: plainKey,
      name: 'Billing',
      legalBasis: 'contract',
      dataUses: ['essential.service.payment_processing'],
      description: 'Bills subscribers',
      dataCategories: ['user.financial'],
      text: 'We bill your subscription.',
    });
    expect(plain.statusCode, plain.body).toBe(201);
    measureId = ((await as(dpo, 'GET', '/v1/inventory/measures')).json().items as { id: string }[])[0]
      ?.id as string;
  });

  afterAll(async () => {
    await t?.close();
  });

  async function activity(body: Record<string, unknown>) {
    const created = await as(dpo, 'POST', '/v1/inventory/activities', {
      name: uniqueName('Activity'),
      description: 'What the activity does.',
      ...body,
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as { id: string; name: string };
  }

  async function screeningOf(activityId: string): Promise<Screening> {
    const found = await as('auditor', 'GET', `/v1/assessments/activities/${activityId}/screening`);
    expect(found.statusCode, found.body).toBe(200);
    return found.json();
  }

  const criterion = (screening: Screening, name: string) =>
    screening.result.criteria.find((c) => c.key === name);

  async function audited(action: string) {
    return t.runtime.database.db
      .selectFrom('audit_entries')
      .select(['target_id', 'details'])
      .where('action', '=', action)
      .execute();
  }

  async function risky(): Promise<{ activityId: string; screening: Screening }> {
    const created = await activity({ purposeKeys: [scoringKey], collectionNames: ['health_notes'] });
    return { activityId: created.id, screening: await screeningOf(created.id) };
  }

  async function newDpia(by: AuthHeaders = agent) {
    const { screening, activityId } = await risky();
    const created = await as(by, 'POST', '/v1/assessments', { screeningId: screening.id });
    expect(created.statusCode, created.body).toBe(201);
    return { ...(created.json() as { id: string; risks: { id: string; kind: string }[] }), activityId };
  }

  const scoredRisks = (residual: [number, number]) => ({
    risks: [
      {
        kind: 'illegitimate_access',
        title: 'Illegitimate access to health notes',
        description: 'An outsider reads the notes.',
        likelihood: 3,
        severity: 4,
        residualLikelihood: residual[0],
        residualSeverity: residual[1],
        mitigations: [
          { measureId, title: 'Encryption at rest', owner: '', dueDate: null, status: 'implemented' },
          {
            measureId: null,
            title: 'Quarterly access review',
            owner: 'Security team',
            dueDate: '2026-09-30',
          },
        ],
      },
    ],
  });

  async function readyForReview(id: string, residual: [number, number] = [1, 4]) {
    const risks = await as(agent, 'PUT', `/v1/assessments/${id}/risks`, scoredRisks(residual));
    expect(risks.statusCode, risks.body).toBe(200);
    const filled = await as(agent, 'PATCH', `/v1/assessments/${id}`, { sections: complete, consultation });
    expect(filled.statusCode, filled.body).toBe(200);
    expect(Object.values(filled.json().progress).every(Boolean)).toBe(true);
    const submitted = await as(agent, 'POST', `/v1/assessments/${id}/submit`);
    expect(submitted.statusCode, submitted.body).toBe(200);
    return submitted.json();
  }

  describe('screening', () => {
    it('derives special categories and automated decisions from the map and requires a DPIA', async () => {
      const { screening } = await risky();
      expect(screening.result.outcome).toBe('required');
      expect(criterion(screening, 'sensitive_data')).toMatchObject({ met: true, source: 'derived' });
      expect(criterion(screening, 'sensitive_data')?.reasons.join()).toContain('user.health_and_medical');
      expect(criterion(screening, 'automated_decisions')).toMatchObject({ met: true, source: 'derived' });
      expect(criterion(screening, 'innovative_technology')).toMatchObject({
        met: null,
        source: 'unanswered',
      });
      const triggers = Object.fromEntries(
        screening.result.triggers.map((trigger) => [trigger.key, trigger.met]),
      );
      expect(triggers).toMatchObject({
        new_processing_activity: true,
        special_category_data: true,
        automated_decision_making: true,
        high_risk_processing: true,
      });
    });

    it('stores the result: a second read answers the same screening', async () => {
      const { activityId, screening } = await risky();
      const again = await screeningOf(activityId);
      expect(again.id).toBe(screening.id);
      expect(again.fingerprint).toBe(screening.fingerprint);
      const listed = (await as('auditor', 'GET', '/v1/assessments/screenings')).json().items as Screening[];
      expect(listed.find((entry) => entry.activityId === activityId)?.id).toBe(screening.id);
    });

    it('asks for what the map cannot tell: incomplete until answered, then decided by the answers', async () => {
      const created = await activity({ purposeKeys: [plainKey], collectionNames: ['orders'] });
      const first = await screeningOf(created.id);
      expect(first.result.outcome).toBe('incomplete');
      const answered = await as(agent, 'PUT', `/v1/assessments/screenings/${first.id}/answers`, {
        criteria: {
          systematic_monitoring: { met: true, note: 'Usage is tracked across sessions' },
          matching_datasets: { met: true, note: 'Joined with the CRM' },
        },
      });
      expect(answered.statusCode, answered.body).toBe(200);
      expect(answered.json().result.outcome).toBe('required');
      expect(criterion(answered.json(), 'systematic_monitoring')).toMatchObject({
        met: true,
        source: 'answered',
      });
      const no = { met: false, note: '' };
      const cleared = await as(agent, 'PUT', `/v1/assessments/screenings/${first.id}/answers`, {
        criteria: {
          evaluation_scoring: no,
          systematic_monitoring: no,
          matching_datasets: no,
          innovative_technology: no,
          prevents_rights: no,
        },
        estimatedSubjects: 500,
      });
      expect(cleared.json().result.outcome).toBe('not_required');
      expect(criterion(cleared.json(), 'large_scale')).toMatchObject({ met: false, source: 'answered' });
    });

    it('re-screens a changed activity on the next read, keeping the answers, and audits it', async () => {
      const { activityId, screening } = await risky();
      const changed = await as(dpo, 'PATCH', `/v1/inventory/activities/${activityId}`, {
        collectionNames: [],
        purposeKeys: [plainKey],
      });
      expect(changed.statusCode, changed.body).toBe(200);
      const after = await screeningOf(activityId);
      expect(after.id).toBe(screening.id);
      expect(after.fingerprint).not.toBe(screening.fingerprint);
      expect(criterion(after, 'sensitive_data')?.met).toBe(false);
      expect(after.result.outcome).not.toBe('required');
      expect((await audited('assessments.screening.rescreened')).map((row) => row.target_id)).toContain(
        screening.id,
      );
    });

    it('reads the scale from the subjects the vault holds in the activity’s collections', async () => {
      const service = await actAs(t, 'service');
      for (let index = 0; index < 2; index += 1) await createPerson(t, service, { orders: 1 });
      const created = await activity({ purposeKeys: [plainKey], collectionNames: ['customers', 'orders'] });
      const screening = await screeningOf(created.id);
      expect(screening.result.facts.subjects).toBe(2);
      expect(criterion(screening, 'large_scale')).toMatchObject({ met: false, source: 'derived' });
      expect(criterion(screening, 'large_scale')?.reasons[0]).toMatch(/^2 data subjects/);
    });

    it('screens a proposed activity from what it will link to', async () => {
      const proposed = await as(agent, 'POST', '/v1/assessments/screenings', {
        activity: {
          name: 'Wearable step tracking',
          description: 'A proposed programme',
          dataCategories: ['user.health_and_medical'],
          dataSubjects: ['employee'],
        },
      });
      expect(proposed.statusCode, proposed.body).toBe(201);
      expect(proposed.json()).toMatchObject({ activityId: null, result: { outcome: 'required' } });
      expect(criterion(proposed.json(), 'vulnerable_subjects')).toMatchObject({
        met: true,
        source: 'derived',
      });
    });

    it('refuses answers outside the schema as problem+json', async () => {
      const { screening } = await risky();
      const refused = await as(agent, 'PUT', `/v1/assessments/screenings/${screening.id}/answers`, {
        criteria: { telepathy: { met: true, note: '' } },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.headers['content-type']).toContain('application/problem+json');
    });
  });

  describe('the assessment', () => {
    it('pre-fills the sections from the data map and starts with the three standard risks', async () => {
      const dpia = await newDpia();
      const found = (await as('auditor', 'GET', `/v1/assessments/${dpia.id}`)).json();
      expect(found.status).toBe('draft');
      expect(found.sections.systematic_description.derived.join('\n')).toContain('user.health_and_medical');
      expect(found.sections.purposes_and_interests.derived.join('\n')).toContain('Eligibility scoring');
      expect(found.risks.map((risk: { kind: string }) => risk.kind)).toEqual([
        'illegitimate_access',
        'unwanted_modification',
        'disappearance',
      ]);
      const again = await as(agent, 'POST', '/v1/assessments', { screeningId: found.screeningId });
      expect(again.statusCode).toBe(409);
    });

    it('refuses risk scores out of range and unknown measures as problem+json', async () => {
      const dpia = await newDpia();
      const body = scoredRisks([1, 4]);
      const outOfRange = await as(agent, 'PUT', `/v1/assessments/${dpia.id}/risks`, {
        risks: [{ ...body.risks[0], likelihood: 5 }],
      });
      expect(outOfRange.statusCode).toBe(400);
      expect(outOfRange.headers['content-type']).toContain('application/problem+json');
      expect(outOfRange.json().code).toBe('validation_failed');
      const unknown = await as(agent, 'PUT', `/v1/assessments/${dpia.id}/risks`, {
        risks: [{ ...body.risks[0], mitigations: [{ measureId: 'nope', title: 'Ghost' }] }],
      });
      expect(unknown.statusCode).toBe(400);
      const ownerless = await as(agent, 'PUT', `/v1/assessments/${dpia.id}/risks`, {
        risks: [{ ...body.risks[0], mitigations: [{ measureId: null, title: 'New thing' }] }],
      });
      expect(ownerless.statusCode).toBe(400);
    });

    it('refuses to submit a draft with sections left to do', async () => {
      const dpia = await newDpia();
      const refused = await as(agent, 'POST', `/v1/assessments/${dpia.id}/submit`);
      expect(refused.statusCode).toBe(422);
      expect(refused.json().incompleteSections).toContain('privacy_risks');
    });
  });

  describe('the approval chain', () => {
    it('goes DPO → legal → management, freezes the version, and sets the review date', async () => {
      const dpia = await newDpia();
      const submitted = await readyForReview(dpia.id);
      expect(submitted.chain.map((step: { key: string }) => step.key)).toEqual([
        'dpo_review',
        'legal_approval',
        'management_signoff',
      ]);
      const outOfOrder = await as(admin, 'POST', `/v1/assessments/${dpia.id}/approve`, {
        step: 'legal_approval',
      });
      expect(outOfOrder.statusCode).toBe(409);
      expect(outOfOrder.headers['content-type']).toContain('application/problem+json');
      expect(outOfOrder.json()).toMatchObject({ code: 'invalid_transition', expectedStep: 'dpo_review' });
      const wrongRole = await as(admin, 'POST', `/v1/assessments/${dpia.id}/approve`, { step: 'dpo_review' });
      expect(wrongRole.statusCode).toBe(403);
      const byAgent = await as(agent, 'POST', `/v1/assessments/${dpia.id}/approve`, { step: 'dpo_review' });
      expect(byAgent.statusCode).toBe(403);

      for (const [who, step] of [
        [dpo, 'dpo_review'],
        [admin, 'legal_approval'],
        [admin, 'management_signoff'],
      ] as const) {
        const approved = await as(who, 'POST', `/v1/assessments/${dpia.id}/approve`, {
          step,
          comment: `ok ${step}`,
        });
        expect(approved.statusCode, approved.body).toBe(200);
      }
      const approved = (await as('auditor', 'GET', `/v1/assessments/${dpia.id}`)).json();
      expect(approved).toMatchObject({
        status: 'approved',
        version: 1,
        reviewDue: '2027-06-01',
        reviewReason: null,
      });
      expect(
        approved.signOffs.map((s: { stepKey: string; decision: string }) => `${s.stepKey}:${s.decision}`),
      ).toEqual(['dpo_review:approved', 'legal_approval:approved', 'management_signoff:approved']);
      const versions = (await as('auditor', 'GET', `/v1/assessments/${dpia.id}/versions`)).json().items;
      expect(versions).toHaveLength(1);
      expect(versions[0].signOffs).toHaveLength(3);

      const edit = await as(agent, 'PATCH', `/v1/assessments/${dpia.id}`, {
        title: 'Changed after approval',
      });
      expect(edit.statusCode).toBe(409);
      expect(edit.json().code).toBe('invalid_transition');
      const risks = await as(agent, 'PUT', `/v1/assessments/${dpia.id}/risks`, scoredRisks([1, 1]));
      expect(risks.statusCode).toBe(409);
      await expect(
        t.runtime.database.db.updateTable('assessment_signoffs').set({ comment: 'rewritten' }).execute(),
      ).rejects.toThrow();
      expect((await audited('assessments.dpia.approved')).map((row) => row.target_id)).toContain(dpia.id);
    });

    it('forbids the author signing off a step when configured', async () => {
      const dpia = await newDpia(dpo);
      await as(dpo, 'PUT', `/v1/assessments/${dpia.id}/risks`, scoredRisks([1, 4]));
      await as(dpo, 'PATCH', `/v1/assessments/${dpia.id}`, { sections: complete, consultation });
      expect((await as(dpo, 'POST', `/v1/assessments/${dpia.id}/submit`)).statusCode).toBe(200);
      const self = await as(dpo, 'POST', `/v1/assessments/${dpia.id}/approve`, { step: 'dpo_review' });
      expect(self.statusCode).toBe(403);
      expect(self.headers['content-type']).toContain('application/problem+json');
      expect(self.json().reason).toBe('self_approval');
    });

    it('returns a rejected DPIA to draft with the reasons recorded', async () => {
      const dpia = await newDpia();
      await readyForReview(dpia.id);
      const noReason = await as(dpo, 'POST', `/v1/assessments/${dpia.id}/reject`, { step: 'dpo_review' });
      expect(noReason.statusCode).toBe(400);
      const rejected = await as(dpo, 'POST', `/v1/assessments/${dpia.id}/reject`, {
        step: 'dpo_review',
        comment: 'The retention period is not justified.',
      });
      expect(rejected.statusCode, rejected.body).toBe(200);
      expect(rejected.json()).toMatchObject({ status: 'draft' });
      expect(rejected.json().signOffs.at(-1)).toMatchObject({
        decision: 'rejected',
        comment: 'The retention period is not justified.',
      });
      const editable = await as(agent, 'PATCH', `/v1/assessments/${dpia.id}`, { title: 'Second attempt' });
      expect(editable.statusCode).toBe(200);
    });

    it('adds prior consultation with its 8 + 6 week dates when a residual risk stays high', async () => {
      const dpia = await newDpia();
      const submitted = await readyForReview(dpia.id, [3, 4]);
      expect(submitted.priorConsultation.required).toBe(true);
      expect(submitted.chain.at(-1).key).toBe('authority_consultation');
      for (const [who, step] of [
        [dpo, 'dpo_review'],
        [admin, 'legal_approval'],
        [admin, 'management_signoff'],
      ] as const)
        expect((await as(who, 'POST', `/v1/assessments/${dpia.id}/approve`, { step })).statusCode).toBe(200);
      const early = await as(dpo, 'POST', `/v1/assessments/${dpia.id}/approve`, {
        step: 'authority_consultation',
      });
      expect(early.statusCode).toBe(422);
      const submittedRecord = await as(agent, 'PATCH', `/v1/assessments/${dpia.id}`, {
        priorConsultation: {
          authority: 'CNIL',
          submittedOn: '2026-06-01',
          reference: 'PC-1',
          answeredOn: null,
        },
      });
      expect(submittedRecord.statusCode, submittedRecord.body).toBe(200);
      expect(submittedRecord.json().priorConsultation).toMatchObject({
        answerDue: '2026-07-27',
        extendedDue: '2026-09-07',
      });
      await as(agent, 'PATCH', `/v1/assessments/${dpia.id}`, {
        priorConsultation: {
          authority: 'CNIL',
          submittedOn: '2026-06-01',
          reference: 'PC-1',
          answer: 'Proceed with the additional measures.',
          answeredOn: '2026-07-10',
        },
      });
      const done = await as(dpo, 'POST', `/v1/assessments/${dpia.id}/approve`, {
        step: 'authority_consultation',
        comment: 'Advice received',
      });
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json().status).toBe('approved');
    });
  });

  describe('versions and reviews', () => {
    it('flags an approved DPIA when its activity changes, revises it into version 2, and diffs versions', async () => {
      const dpia = await newDpia();
      await readyForReview(dpia.id);
      for (const [who, step] of [
        [dpo, 'dpo_review'],
        [admin, 'legal_approval'],
        [admin, 'management_signoff'],
      ] as const)
        await as(who, 'POST', `/v1/assessments/${dpia.id}/approve`, { step });
      await as(dpo, 'PATCH', `/v1/inventory/activities/${dpia.activityId}`, {
        description: 'Now also for renewals.',
      });
      const flagged = (await as('auditor', 'GET', `/v1/assessments/${dpia.id}`)).json();
      expect(flagged).toMatchObject({ status: 'approved', reviewReason: 'activity_changed' });
      const summary = (await as('auditor', 'GET', '/v1/assessments/summary')).json();
      expect(summary.flaggedForReview).toBeGreaterThanOrEqual(1);

      const revised = await as(agent, 'POST', `/v1/assessments/${dpia.id}/revise`);
      expect(revised.json()).toMatchObject({ status: 'draft', version: 2 });
      await as(agent, 'PATCH', `/v1/assessments/${dpia.id}`, {
        sections: { systematic_description: { text: 'Billed monthly, renewals included.' } },
      });
      await as(agent, 'POST', `/v1/assessments/${dpia.id}/submit`);
      for (const [who, step] of [
        [dpo, 'dpo_review'],
        [admin, 'legal_approval'],
        [admin, 'management_signoff'],
      ] as const)
        await as(who, 'POST', `/v1/assessments/${dpia.id}/approve`, { step });
      const diff = (await as('auditor', 'GET', `/v1/assessments/${dpia.id}/diff?from=1&to=2`)).json();
      expect(diff.changes).toContainEqual({
        path: 'sections.systematic_description',
        before: complete.systematic_description.text,
        after: 'Billed monthly, renewals included.',
      });
      const first = (await as('auditor', 'GET', `/v1/assessments/${dpia.id}/versions/1`)).json();
      expect(first.sections.systematic_description.text).toBe(complete.systematic_description.text);
    });

    it('flags a DPIA whose activity is deleted, on read and in the hourly job, once, audited', async () => {
      const draft = await newDpia();
      const approved = await newDpia();
      await readyForReview(approved.id);
      for (const [who, step] of [
        [dpo, 'dpo_review'],
        [admin, 'legal_approval'],
        [admin, 'management_signoff'],
      ] as const)
        await as(who, 'POST', `/v1/assessments/${approved.id}/approve`, { step });
      for (const id of [draft.activityId, approved.activityId]) {
        const deleted = await as(dpo, 'DELETE', `/v1/inventory/activities/${id}`);
        expect(deleted.statusCode, deleted.body).toBe(204);
      }
      // The hourly job notices the approved one without anyone reading it.
      await t.runtime.services.runAssessmentReviews();
      const flaggedByJob = await audited('assessments.dpia.flagged_for_review');
      expect(flaggedByJob).toContainEqual({
        target_id: approved.id,
        details: { reason: 'activity_deleted', status: 'approved', version: 1 },
      });
      const read = (await as('auditor', 'GET', `/v1/assessments/${draft.id}`)).json();
      expect(read).toMatchObject({ status: 'draft', reviewReason: 'activity_deleted' });
      expect((await as('auditor', 'GET', `/v1/assessments/${approved.id}`)).json()).toMatchObject({
        status: 'approved',
        reviewReason: 'activity_deleted',
      });
      const summary = (await as('auditor', 'GET', '/v1/assessments/summary')).json();
      expect(summary.activityDeleted).toBeGreaterThanOrEqual(2);
      const flagged = (await audited('assessments.dpia.flagged_for_review')).filter(
        (entry) => entry.target_id === draft.id || entry.target_id === approved.id,
      );
      expect(flagged).toHaveLength(2);
    });

    it('reminds the DPO by mail once when a review falls due', async () => {
      const dpia = await newDpia();
      await readyForReview(dpia.id);
      for (const [who, step] of [
        [dpo, 'dpo_review'],
        [admin, 'legal_approval'],
        [admin, 'management_signoff'],
      ] as const)
        await as(who, 'POST', `/v1/assessments/${dpia.id}/approve`, { step });
      const before = clock.now();
      clock.set('2027-05-20T10:00:00Z');
      try {
        const first = await t.runtime.services.runAssessmentReviews();
        expect(first.reminded).toBeGreaterThanOrEqual(1);
        const second = await t.runtime.services.runAssessmentReviews();
        expect(second.reminded).toBe(0);
        const mails = await t.runtime.database.db
          .selectFrom('mail_outbox')
          .select(['kind', 'reference_id'])
          .where('reference_id', '=', dpia.id)
          .execute();
        expect(mails).toEqual([{ kind: 'assessments.review_due', reference_id: dpia.id }]);
        const summary = (await as('auditor', 'GET', '/v1/assessments/summary')).json();
        expect(summary.reviewDueSoon).toBeGreaterThanOrEqual(1);
      } finally {
        clock.set(before);
      }
    });
  });

  describe('exports', () => {
    it('exports every section, the risk matrix and the sign-offs as HTML, and JSON beside', async () => {
      const dpia = await newDpia();
      await readyForReview(dpia.id);
      await as(dpo, 'POST', `/v1/assessments/${dpia.id}/approve`, {
        step: 'dpo_review',
        comment: 'Reviewed <ok>',
      });
      const html = await as('auditor', 'GET', `/v1/assessments/${dpia.id}/export?format=html`);
      expect(html.statusCode).toBe(200);
      expect(html.headers['content-type']).toContain('text/html');
      for (const heading of [
        '1. Systematic description',
        '7. Views of data subjects',
        'Inherent risk',
        'Residual risk',
      ])
        expect(html.body).toContain(heading);
      expect(html.body).toContain('Reviewed &lt;ok&gt;');
      const json = await as('auditor', 'GET', `/v1/assessments/${dpia.id}/export?format=json`);
      expect(json.json()).toMatchObject({ id: dpia.id, status: 'in_review' });
      expect(
        (await audited('assessments.dpia.exported')).filter((row) => row.target_id === dpia.id),
      ).toHaveLength(2);
    });

    it.skipIf(!existsSync(chromiumPath))('prints the PDF through the shared renderer', async () => {
      const dpia = await newDpia();
      const pdf = await as('auditor', 'GET', `/v1/assessments/${dpia.id}/export?format=pdf`);
      expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    });
  });
  describe('linking a proposal to its activity', () => {
    it('links a proposed screening and its DPIA to the activity once created, keeping the answers, audited', async () => {
      const proposed = await as(agent, 'POST', '/v1/assessments/screenings', {
        activity: {
          name: uniqueName('Proposal'),
          dataCategories: ['user.biometric'],
          dataSubjects: ['patient'],
        },
        answers: { criteria: { innovative_technology: { met: true, note: 'New sensors.' } } },
      });
      expect(proposed.statusCode, proposed.body).toBe(201);
      const screeningId = proposed.json().id as string;
      const dpia = await as(agent, 'POST', '/v1/assessments', { screeningId });
      expect(dpia.statusCode, dpia.body).toBe(201);
      const { activityId, screening: own } = await risky();

      const unknown = await as(agent, 'POST', `/v1/assessments/screenings/${screeningId}/link`, {
        activityId: faker.string.uuid(),
      });
      expect(unknown.statusCode).toBe(404);
      const linked = await as(agent, 'POST', `/v1/assessments/screenings/${screeningId}/link`, {
        activityId,
      });
      expect(linked.statusCode, linked.body).toBe(200);
      expect(linked.json()).toEqual({ screeningId, activityId, assessmentId: dpia.json().id });

      const screening = await screeningOf(activityId);
      expect(screening.id).toBe(screeningId);
      expect(criterion(screening, 'innovative_technology')).toMatchObject({ met: true, source: 'answered' });
      expect(criterion(screening, 'sensitive_data')).toMatchObject({ met: true, source: 'derived' });
      const carried = (await as('auditor', 'GET', `/v1/assessments/${dpia.json().id}`)).json();
      expect(carried).toMatchObject({ activityId, screeningId, status: 'draft', reviewReason: null });
      const listed = (await as('auditor', 'GET', '/v1/assessments/screenings')).json().items as Screening[];
      expect(listed.filter((s) => s.id === screeningId || s.id === own.id)).toEqual([
        expect.objectContaining({ id: screeningId, activityId }),
      ]);
      expect(await audited('assessments.screening.linked')).toContainEqual({
        target_id: screeningId,
        details: { activityId, from: 'proposed', replacedScreening: own.id },
      });
      expect(await audited('assessments.dpia.linked')).toContainEqual({
        target_id: dpia.json().id,
        details: { activityId, previousActivityId: null, status: 'draft', version: 1 },
      });

      // Linked now: neither it nor another proposal links to an activity that has a DPIA.
      const again = await as(agent, 'POST', `/v1/assessments/screenings/${screeningId}/link`, {
        activityId: (await activity({})).id,
      });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: 'invalid_transition' });
      const other = await as(agent, 'POST', '/v1/assessments/screenings', {
        activity: { name: uniqueName('Proposal'), dataCategories: ['user.biometric'] },
      });
      const taken = await as(agent, 'POST', `/v1/assessments/screenings/${other.json().id}/link`, {
        activityId,
      });
      expect(taken.statusCode).toBe(409);
      expect(taken.json()).toMatchObject({ code: 'conflict', assessmentId: dpia.json().id });
      const reader = await as('auditor', 'POST', `/v1/assessments/screenings/${other.json().id}/link`, {
        activityId,
      });
      expect(reader.statusCode).toBe(403);
    });

    it('moves a DPIA whose activity was deleted to the activity that replaces it', async () => {
      const dpia = await newDpia();
      const created = (await as('auditor', 'GET', `/v1/assessments/${dpia.id}`)).json();
      await as(dpo, 'DELETE', `/v1/inventory/activities/${dpia.activityId}`);
      expect((await as('auditor', 'GET', `/v1/assessments/${dpia.id}`)).json()).toMatchObject({
        reviewReason: 'activity_deleted',
      });
      const replacement = await activity({ purposeKeys: [scoringKey], collectionNames: ['health_notes'] });
      const linked = await as(agent, 'POST', `/v1/assessments/screenings/${created.screeningId}/link`, {
        activityId: replacement.id,
      });
      expect(linked.statusCode, linked.body).toBe(200);
      expect((await as('auditor', 'GET', `/v1/assessments/${dpia.id}`)).json()).toMatchObject({
        activityId: replacement.id,
        reviewReason: null,
      });
    });
  });

  describe('the chain’s settings', () => {
    it('lets only someone holding every role it names change the chain; the new chain applies to the next round', async () => {
      const original = (await as('auditor', 'GET', '/v1/assessments/settings')).json();
      expect(original.steps.map((step: { key: string }) => step.key)).toEqual([
        'dpo_review',
        'legal_approval',
        'management_signoff',
        'authority_consultation',
      ]);
      const mine = {
        steps: [{ key: 'dpo_review', name: 'DPO review', role: 'dpo', onlyWhenPriorConsultation: false }],
        forbidSelfApproval: false,
        reviewMonths: 6,
      };
      const byDpo = await as(dpo, 'PUT', '/v1/assessments/settings', mine);
      expect(byDpo.statusCode).toBe(403);
      expect(byDpo.json()).toMatchObject({ reason: 'grant_exceeds_own_permissions', roles: ['admin'] });
      const byAdmin = await as(admin, 'PUT', '/v1/assessments/settings', mine);
      expect(byAdmin.statusCode, byAdmin.body).toBe(200);
      try {
        const dpia = await newDpia(dpo);
        await as(dpo, 'PUT', `/v1/assessments/${dpia.id}/risks`, scoredRisks([1, 4]));
        await as(dpo, 'PATCH', `/v1/assessments/${dpia.id}`, { sections: complete, consultation });
        await as(dpo, 'POST', `/v1/assessments/${dpia.id}/submit`);
        const self = await as(dpo, 'POST', `/v1/assessments/${dpia.id}/approve`, { step: 'dpo_review' });
        expect(self.statusCode, self.body).toBe(200);
        expect(self.json()).toMatchObject({ status: 'approved', reviewDue: '2026-12-01' });
      } finally {
        const restored = await as(admin, 'PUT', '/v1/assessments/settings', {
          steps: original.steps,
          forbidSelfApproval: true,
          reviewMonths: 12,
        });
        expect(restored.statusCode, restored.body).toBe(200);
      }
    });

    it('starts one DPIA per proposed activity', async () => {
      const proposed = await as(agent, 'POST', '/v1/assessments/screenings', {
        activity: {
          name: 'Voice analysis pilot',
          dataCategories: ['user.biometric'],
          dataSubjects: ['patient'],
        },
      });
      const first = await as(agent, 'POST', '/v1/assessments', { screeningId: proposed.json().id });
      expect(first.statusCode, first.body).toBe(201);
      const second = await as(agent, 'POST', '/v1/assessments', { screeningId: proposed.json().id });
      expect(second.statusCode).toBe(409);
      expect(second.json()).toMatchObject({ code: 'conflict', assessmentId: first.json().id });
    });
  });
});
