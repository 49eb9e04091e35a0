/**
 * DPIAs: created from a screening with their sections pre-filled from the data map, edited while draft,
 * submitted into the approval chain, signed off step by step (or rejected back to draft), frozen as a
 * version when the last step approves, flagged for review when the activity changes afterwards, and
 * revised into a new draft version. Every change is audited in its own transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { permissionsOfRoles } from '../access/permissions.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { DataMap } from '../inventory/inventory-model.js';
import {
  type Approver,
  type ChainSettings,
  type ChainStep,
  checkSignOff,
  defaultChain,
  stepsOfRound,
} from './approval-chain.js';
import type { Assessment, AssessmentSummary, ScoredRisk, SignOff, Snapshot } from './assessment-model.js';
import {
  type AssessmentRow,
  type AssessmentStore,
  isDuplicateAssessment,
  isDuplicateScreening,
  type SignOffRow,
} from './assessment-store.js';
import {
  type ConsultationRecord,
  type PriorConsultation,
  prefilledSections,
  priorConsultationDates,
  priorConsultationRequired,
  type Risk,
  riskLevel,
  type SectionKey,
  type Sections,
  sectionKeys,
  sectionProgress,
  standardRisks,
} from './dpia.js';
import type { ScreeningAnswers } from './screening.js';
import type { Screening, ScreeningService } from './screening-service.js';
import { type Change, diffVersions } from './version-diff.js';

export type AssessmentUpdate = {
  title?: string | undefined;
  sections?:
    | Partial<Record<SectionKey, { text?: string | undefined; complete?: boolean | undefined }>>
    | undefined;
  consultation?: ConsultationRecord | null | undefined;
  priorConsultation?: PriorConsultation | null | undefined;
};

export type RiskInput = Omit<Risk, 'id' | 'mitigations'> & {
  id?: string | undefined;
  mitigations: (Omit<Risk['mitigations'][number], 'id'> & { id?: string | undefined })[];
};

type Deps = {
  db: Kysely<DB>;
  store: AssessmentStore;
  audit: AuditWriter;
  clock: Clock;
  screenings: ScreeningService;
  dataMap: () => Promise<DataMap>;
  settings: { reviewSoonDays: number };
};

const notFound = () => new AppError('not_found', 'DPIA not found.');
const duplicate = (assessmentId: string | undefined) =>
  new AppError('conflict', 'This activity already has a DPIA: revise it instead.', {
    extensions: assessmentId ? { assessmentId } : {},
  });
const frozen = (status: string) =>
  new AppError(
    'invalid_transition',
    status === 'approved'
      ? 'This version is approved and frozen: start a revision to change it.'
      : 'This DPIA is in review: it can be changed again once a step rejects it.',
    { extensions: { status } },
  );

function addMonths(day: Date, months: number): string {
  const next = new Date(day.getTime());
  next.setUTCMonth(next.getUTCMonth() + months);
  return next.toISOString().slice(0, 10);
}

const scored = (risks: Risk[]): ScoredRisk[] =>
  risks.map((risk) => ({
    ...risk,
    inherentLevel: riskLevel(risk.likelihood, risk.severity),
    residualLevel: riskLevel(risk.residualLikelihood, risk.residualSeverity),
  }));

function signOffOf(row: SignOffRow): SignOff {
  return {
    version: row.version,
    round: row.round,
    stepKey: row.step_key,
    role: row.role,
    decision: row.decision,
    comment: row.comment,
    actor: { type: row.actor_type, id: row.actor_id },
    at: row.at,
  };
}

export function assessmentRegister({ db, store, audit, clock, screenings, dataMap, settings }: Deps) {
  async function chainSettings(): Promise<ChainSettings> {
    const row = await store.settings(db);
    if (!row) return defaultChain;
    return {
      steps: row.chain as ChainStep[],
      forbidSelfApproval: row.forbid_self_approval,
      reviewMonths: row.review_months,
    };
  }

  /**
   * Saves the chain. Like a grant, it decides who may approve: the caller must hold every permission of
   * each role the chain names now and will name, so nobody hands a step to, or takes it from, a role
   * beyond their own reach.
   */
  async function saveSettings(
    context: AuditContext,
    next: ChainSettings,
    callerPermissions: ReadonlySet<string>,
  ): Promise<ChainSettings> {
    const keys = new Set(next.steps.map((step) => step.key));
    if (keys.size !== next.steps.length)
      throw new AppError('validation_failed', 'Each step of the chain needs its own key.');
    const current = await chainSettings();
    const named = new Set([...current.steps, ...next.steps].map((step) => step.role));
    const beyond = [...named].filter((role) =>
      [...permissionsOfRoles([role])].some((permission) => !callerPermissions.has(permission)),
    );
    if (beyond.length)
      throw new AppError(
        'forbidden',
        'The chain names roles whose permissions you do not all hold: only someone who holds them may change it.',
        { extensions: { reason: 'grant_exceeds_own_permissions', roles: beyond } },
      );
    await db.transaction().execute(async (tx) => {
      await store.saveSettings(tx, {
        id: 'default',
        chain: JSON.stringify(next.steps),
        forbid_self_approval: next.forbidSelfApproval,
        review_months: next.reviewMonths,
        updated_at: clock.now(),
      });
      await audit.append(tx, context, {
        action: 'assessments.settings.updated',
        outcome: 'success',
        target: { type: 'assessment_settings', id: 'default' },
        details: {
          steps: next.steps.map((step) => `${step.key}:${step.role}`),
          forbidSelfApproval: next.forbidSelfApproval,
          reviewMonths: next.reviewMonths,
        },
      });
    });
    return chainSettings();
  }

  function present(row: AssessmentRow, signOffs: SignOffRow[]): Assessment {
    const sections = row.sections as unknown as Sections;
    const risks = row.risks as Risk[];
    const consultation = (row.consultation as ConsultationRecord | null) ?? null;
    const record = (row.prior_consultation as PriorConsultation | null) ?? null;
    const chain = row.chain as ChainStep[];
    const required = priorConsultationRequired(risks);
    return {
      id: row.id,
      activityId: row.activity_id,
      screeningId: row.screening_id,
      title: row.title,
      status: row.status,
      version: row.version,
      sections,
      progress: sectionProgress(sections, risks, consultation),
      risks: scored(risks),
      consultation,
      priorConsultation: { required, record, ...priorConsultationDates(record?.submittedOn ?? null) },
      chain: chain.map((step, index) => ({
        ...step,
        state:
          row.status === 'approved' || index < row.step_index
            ? 'done'
            : row.status === 'in_review' && index === row.step_index
              ? 'current'
              : 'pending',
      })),
      signOffs: signOffs.map(signOffOf),
      reviewReason: row.review_reason,
      reviewDue: row.review_due,
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** The activity's fingerprint now, or null for a DPIA of a proposed activity or a removed one. */
  async function currentFingerprint(row: AssessmentRow): Promise<string | null> {
    if (!row.activity_id) return null;
    const screening = await screenings.ofActivity(row.activity_id).catch(() => null);
    return screening?.fingerprint ?? null;
  }

  /** Flags an approved DPIA whose activity changed since approval (once; audited). */
  async function flagIfChanged(
    row: AssessmentRow,
    known?: ReadonlyMap<string, string>,
  ): Promise<AssessmentRow> {
    if (row.status !== 'approved' || row.review_reason || !row.activity_fingerprint) return row;
    const now = known ? (known.get(row.activity_id ?? '') ?? null) : await currentFingerprint(row);
    if (now === null || now === row.activity_fingerprint) return row;
    return db.transaction().execute(async (tx) => {
      const locked = await store.lock(tx, row.id);
      if (locked?.status !== 'approved' || locked.review_reason) return locked ?? row;
      const updated = await store.update(tx, row.id, {
        review_reason: 'activity_changed',
        updated_at: clock.now(),
      });
      await audit.append(
        tx,
        { actor: { type: 'system', id: 'assessments.review' }, requestId: null, ip: null },
        {
          action: 'assessments.dpia.flagged_for_review',
          outcome: 'success',
          target: { type: 'assessment', id: row.id },
          details: { reason: 'activity_changed', version: row.version },
        },
      );
      return updated;
    });
  }

  /** The ids of the processing activities in the data map now. */
  async function activityIds(): Promise<Set<string>> {
    return new Set((await dataMap()).activities.map((entry) => entry.id));
  }

  /**
   * Flags a DPIA, whatever its status, whose processing activity left the data map (once; audited), so
   * it is not silently orphaned: link it to the activity that replaces it, or revise it.
   */
  async function flagIfDeleted(row: AssessmentRow, activities: ReadonlySet<string>): Promise<AssessmentRow> {
    if (!row.activity_id || activities.has(row.activity_id) || row.review_reason === 'activity_deleted')
      return row;
    return db.transaction().execute(async (tx) => {
      const locked = await store.lock(tx, row.id);
      if (!locked?.activity_id || locked.activity_id !== row.activity_id) return locked ?? row;
      if (locked.review_reason === 'activity_deleted') return locked;
      const updated = await store.update(tx, row.id, {
        review_reason: 'activity_deleted',
        updated_at: clock.now(),
      });
      await audit.append(
        tx,
        { actor: { type: 'system', id: 'assessments.review' }, requestId: null, ip: null },
        {
          action: 'assessments.dpia.flagged_for_review',
          outcome: 'success',
          target: { type: 'assessment', id: row.id },
          details: { reason: 'activity_deleted', status: locked.status, version: locked.version },
        },
      );
      return updated;
    });
  }

  async function get(id: string): Promise<Assessment> {
    const row = await store.find(db, id);
    if (!row) throw notFound();
    const kept = row.activity_id ? await flagIfDeleted(row, await activityIds()) : row;
    const checked = await flagIfChanged(kept);
    return present(checked, await store.signOffs(db, id));
  }

  /** DPIAs, newest first; one screening pass gives every activity's fingerprint for the review flags. */
  async function list(activityId?: string, screened?: Screening[]): Promise<Assessment[]> {
    const stored = await store.list(db, activityId);
    const activities = stored.some((row) => row.activity_id) ? await activityIds() : new Set<string>();
    const rows: AssessmentRow[] = [];
    for (const row of stored) rows.push(await flagIfDeleted(row, activities));
    if (!rows.some((row) => row.status === 'approved')) return rows.map((row) => present(row, []));
    const all =
      screened ??
      (activityId
        ? await screenings.ofActivity(activityId).then(
            (one) => [one],
            () => [],
          )
        : await screenings.list());
    const known = new Map(all.flatMap((s) => (s.activityId ? [[s.activityId, s.fingerprint] as const] : [])));
    const out: Assessment[] = [];
    for (const row of rows) out.push(present(await flagIfChanged(row, known), []));
    return out;
  }

  /** Starts a DPIA from a screening; one DPIA per activity (revise it rather than start another). */
  async function create(
    context: AuditContext,
    screeningId: string,
    title: string | undefined,
  ): Promise<Assessment> {
    const screening = await screenings.get(screeningId);
    const { resolved } = await screenings.factsOf(screening);
    const sections = prefilledSections(resolved, screening.proposed?.description ?? '');
    const row = await db
      .transaction()
      .execute(async (tx) => {
        const existing = screening.activityId
          ? (await store.list(tx, screening.activityId))[0]
          : await store.ofScreening(tx, screening.id);
        if (existing) throw duplicate(existing.id);
        const now = clock.now();
        const inserted = await store.insert(tx, {
          id: randomUUID(),
          activity_id: screening.activityId,
          screening_id: screening.id,
          title: title ?? `DPIA: ${screening.name}`.slice(0, 200),
          status: 'draft',
          sections: JSON.stringify(sections),
          risks: JSON.stringify(standardRisks(randomUUID)),
          consultation: null,
          prior_consultation: null,
          chain: JSON.stringify([]),
          created_by: context.actor.id,
          created_at: now,
          updated_at: now,
        });
        await audit.append(tx, context, {
          action: 'assessments.dpia.created',
          outcome: 'success',
          target: { type: 'assessment', id: inserted.id },
          details: { screeningId: screening.id, outcome: screening.result.outcome },
        });
        return inserted;
      })
      .catch((error: unknown) => {
        if (isDuplicateAssessment(error)) throw duplicate(undefined);
        throw error;
      });
    return present(row, []);
  }

  /**
   * Links a proposed activity's screening — or one whose activity was deleted — to an activity of the data
   * map, carrying its DPIA over: the screening becomes the activity's (its answers kept, merged with any
   * the activity's own screening had, which it replaces) and is re-screened against the activity's facts
   * on the next read. An approved DPIA is flagged for review (it assessed a proposal, or an activity now
   * gone). Refused when the activity already has a DPIA. One transaction, audited.
   */
  async function linkScreening(
    context: AuditContext,
    screeningId: string,
    activityId: string,
  ): Promise<{ screeningId: string; activityId: string; assessmentId: string | null }> {
    const activities = await activityIds();
    if (!activities.has(activityId)) throw new AppError('not_found', 'Processing activity not found.');
    return db
      .transaction()
      .execute(async (tx) => {
        const screening = await store.lockScreening(tx, screeningId);
        if (!screening) throw new AppError('not_found', 'Screening not found.');
        if (screening.activity_id === activityId)
          throw new AppError('conflict', 'Already linked to this activity.');
        if (screening.activity_id && activities.has(screening.activity_id))
          throw new AppError(
            'invalid_transition',
            'Only a proposed activity’s screening, or one whose activity was deleted, is linked to an activity.',
          );
        const taken = (await store.list(tx, activityId))[0];
        if (taken) throw duplicate(taken.id);
        const replaced = await store.screeningOfActivity(tx, activityId);
        const answers = screening.answers as unknown as ScreeningAnswers;
        if (replaced) {
          const theirs = replaced.answers as unknown as ScreeningAnswers;
          answers.criteria = { ...answers.criteria, ...theirs.criteria };
          answers.estimatedSubjects = theirs.estimatedSubjects ?? answers.estimatedSubjects;
          await store.deleteScreening(tx, replaced.id);
        }
        await store.updateScreening(tx, screening.id, {
          activity_id: activityId,
          proposed: null,
          answers: JSON.stringify(answers),
          // Never a real fingerprint: the next read re-screens it against the activity (audited).
          fingerprint: 'linked',
        });
        await audit.append(tx, context, {
          action: 'assessments.screening.linked',
          outcome: 'success',
          target: { type: 'assessment_screening', id: screening.id },
          details: {
            activityId,
            from: screening.activity_id ? 'deleted_activity' : 'proposed',
            replacedScreening: replaced?.id ?? null,
          },
        });
        const dpia = await store.ofScreening(tx, screening.id);
        if (dpia) {
          const locked = (await store.lock(tx, dpia.id)) as AssessmentRow;
          await store.update(tx, dpia.id, {
            activity_id: activityId,
            review_reason: locked.status === 'approved' ? 'activity_changed' : null,
            updated_at: clock.now(),
          });
          await audit.append(tx, context, {
            action: 'assessments.dpia.linked',
            outcome: 'success',
            target: { type: 'assessment', id: dpia.id },
            details: {
              activityId,
              previousActivityId: locked.activity_id,
              status: locked.status,
              version: locked.version,
            },
          });
        }
        return { screeningId: screening.id, activityId, assessmentId: dpia?.id ?? null };
      })
      .catch((error: unknown) => {
        if (isDuplicateAssessment(error) || isDuplicateScreening(error))
          throw new AppError('conflict', 'This activity was linked meanwhile: reload and try again.');
        throw error;
      });
  }

  /** Runs a change on a locked DPIA in draft (or, for the prior consultation, awaiting the authority). */
  async function change(
    context: AuditContext,
    id: string,
    action: string,
    apply: (
      row: AssessmentRow,
      tx: Tx,
    ) => Promise<{ changes: Parameters<AssessmentStore['update']>[2]; fields: string[] }>,
    allowAtAuthorityStep = false,
  ): Promise<Assessment> {
    const row = await db.transaction().execute(async (tx) => {
      const locked = await store.lock(tx, id);
      if (!locked) throw notFound();
      const atAuthority =
        locked.status === 'in_review' &&
        (locked.chain as ChainStep[])[locked.step_index]?.onlyWhenPriorConsultation === true;
      if (locked.status !== 'draft' && !(allowAtAuthorityStep && atAuthority)) throw frozen(locked.status);
      const { changes, fields } = await apply(locked, tx);
      const updated = await store.update(tx, id, { ...changes, updated_at: clock.now() });
      await audit.append(tx, context, {
        action,
        outcome: 'success',
        target: { type: 'assessment', id },
        details: { fields, version: locked.version },
      });
      return updated;
    });
    return present(row, await store.signOffs(db, id));
  }

  function update(context: AuditContext, id: string, input: AssessmentUpdate): Promise<Assessment> {
    const onlyPrior =
      input.title === undefined && input.sections === undefined && input.consultation === undefined;
    return change(
      context,
      id,
      'assessments.dpia.updated',
      async (row) => {
        const fields: string[] = [];
        const changes: Parameters<AssessmentStore['update']>[2] = {};
        if (input.title !== undefined) {
          changes.title = input.title;
          fields.push('title');
        }
        if (input.sections) {
          const sections = { ...(row.sections as unknown as Sections) };
          for (const key of sectionKeys) {
            const patch = input.sections[key];
            if (!patch) continue;
            sections[key] = {
              ...sections[key],
              ...(patch.text !== undefined ? { text: patch.text } : {}),
              ...(patch.complete !== undefined ? { complete: patch.complete } : {}),
            };
            fields.push(`sections.${key}`);
          }
          changes.sections = JSON.stringify(sections);
        }
        if (input.consultation !== undefined) {
          changes.consultation = input.consultation ? JSON.stringify(input.consultation) : null;
          fields.push('consultation');
        }
        if (input.priorConsultation !== undefined) {
          changes.prior_consultation = input.priorConsultation
            ? JSON.stringify(input.priorConsultation)
            : null;
          fields.push('priorConsultation');
        }
        return { changes, fields };
      },
      onlyPrior,
    );
  }

  /** Replaces the risk register; mitigations name a measure of the data map or a new one with owner and date. */
  async function saveRisks(context: AuditContext, id: string, input: RiskInput[]): Promise<Assessment> {
    if (!(await store.find(db, id))) throw notFound();
    const map = await dataMap();
    const measures = new Set(map.measures.map((measure) => measure.id));
    const problems: string[] = [];
    input.forEach((risk, index) => {
      risk.mitigations.forEach((mitigation, at) => {
        if (mitigation.measureId !== null && !measures.has(mitigation.measureId))
          problems.push(
            `risks[${index}].mitigations[${at}].measureId: not a security measure of the data map`,
          );
        if (mitigation.measureId === null && (!mitigation.owner || !mitigation.dueDate))
          problems.push(`risks[${index}].mitigations[${at}]: a new measure needs an owner and a due date`);
      });
    });
    if (problems.length)
      throw new AppError('validation_failed', 'Some risks are not valid.', {
        extensions: {
          errors: problems.map((message) => ({ in: 'body', path: message.split(':')[0], message })),
        },
      });
    const risks: Risk[] = input.map((risk) => ({
      ...risk,
      id: risk.id ?? randomUUID(),
      mitigations: risk.mitigations.map((mitigation) => ({
        ...mitigation,
        id: mitigation.id ?? randomUUID(),
      })),
    }));
    return change(context, id, 'assessments.dpia.risks_updated', async () => ({
      changes: { risks: JSON.stringify(risks) },
      fields: ['risks'],
    }));
  }

  /** Draft → in review: every section done; the chain of this round fixed now. */
  async function submit(context: AuditContext, id: string): Promise<Assessment> {
    const config = await chainSettings();
    const row = await db.transaction().execute(async (tx) => {
      const locked = await store.lock(tx, id);
      if (!locked) throw notFound();
      if (locked.status !== 'draft')
        throw new AppError('invalid_transition', 'Only a draft can be submitted for approval.', {
          extensions: { status: locked.status },
        });
      const view = present(locked, []);
      const missing = sectionKeys.filter((key) => !view.progress[key]);
      if (missing.length)
        throw new AppError('unprocessable', 'Every section must be complete before the DPIA is submitted.', {
          extensions: { incompleteSections: missing },
        });
      const chain = stepsOfRound(config, view.priorConsultation.required);
      const updated = await store.update(tx, id, {
        status: 'in_review',
        chain: JSON.stringify(chain),
        step_index: 0,
        round: locked.round + 1,
        submitted_by: context.actor.id,
        updated_at: clock.now(),
      });
      await audit.append(tx, context, {
        action: 'assessments.dpia.submitted',
        outcome: 'success',
        target: { type: 'assessment', id },
        details: { version: locked.version, steps: chain.map((step) => step.key) },
      });
      return updated;
    });
    return present(row, await store.signOffs(db, id));
  }

  async function decide(
    context: AuditContext,
    approver: Approver,
    id: string,
    stepKey: string,
    comment: string,
    decision: 'approved' | 'rejected',
  ): Promise<Assessment> {
    const config = await chainSettings();
    // The fingerprint is read before the transaction: the data map is read outside it.
    const before = await store.find(db, id);
    if (!before) throw notFound();
    const fingerprint = await currentFingerprint(before);
    const row = await db.transaction().execute(async (tx) => {
      const locked = await store.lock(tx, id);
      if (!locked) throw notFound();
      if (locked.status !== 'in_review')
        throw new AppError('invalid_transition', 'Only a DPIA in review has a step to sign off.', {
          extensions: { status: locked.status },
        });
      const chain = locked.chain as ChainStep[];
      const step = checkSignOff(
        chain,
        locked.step_index,
        stepKey,
        approver,
        [locked.created_by, locked.submitted_by],
        config.forbidSelfApproval,
      );
      const record = locked.prior_consultation as PriorConsultation | null;
      if (
        decision === 'approved' &&
        step.onlyWhenPriorConsultation &&
        !(record?.submittedOn && record.answeredOn)
      )
        throw new AppError(
          'unprocessable',
          'Record the prior consultation’s submission and the authority’s answer first.',
        );
      const now = clock.now();
      await store.insertSignOff(tx, {
        id: randomUUID(),
        assessment_id: id,
        version: locked.version,
        round: locked.round,
        step_index: locked.step_index,
        step_key: step.key,
        role: step.role,
        decision,
        comment,
        actor_type: approver.type,
        actor_id: approver.id,
        at: now,
      });
      const last = locked.step_index === chain.length - 1;
      let changes: Parameters<AssessmentStore['update']>[2];
      if (decision === 'rejected') changes = { status: 'draft', step_index: 0 };
      else if (!last) changes = { step_index: locked.step_index + 1 };
      else
        changes = {
          status: 'approved',
          step_index: chain.length,
          activity_fingerprint: fingerprint,
          review_reason: null,
          review_due: addMonths(now, config.reviewMonths),
        };
      const updated = await store.update(tx, id, { ...changes, updated_at: now });
      await audit.append(tx, context, {
        action: decision === 'approved' ? 'assessments.dpia.step_approved' : 'assessments.dpia.step_rejected',
        outcome: 'success',
        target: { type: 'assessment', id },
        details: { step: step.key, role: step.role, version: locked.version, round: locked.round },
      });
      if (decision === 'approved' && last) {
        const signOffs = (await store.signOffs(tx, id)).filter(
          (entry) => entry.version === locked.version && entry.round === locked.round,
        );
        const view = present(updated, signOffs);
        const snapshot: Snapshot = {
          version: updated.version,
          title: updated.title,
          activityId: updated.activity_id,
          sections: view.sections,
          risks: view.risks,
          consultation: view.consultation,
          priorConsultation: view.priorConsultation,
          chain: view.chain,
          signOffs: view.signOffs,
          approvedAt: now.toISOString(),
          reviewDue: updated.review_due,
        };
        await store.insertVersion(tx, {
          assessment_id: id,
          version: updated.version,
          snapshot: JSON.stringify(snapshot),
          fingerprint,
          approved_at: now,
        });
        await audit.append(tx, context, {
          action: 'assessments.dpia.approved',
          outcome: 'success',
          target: { type: 'assessment', id },
          details: { version: updated.version, reviewDue: updated.review_due },
        });
      }
      return updated;
    });
    return present(row, await store.signOffs(db, id));
  }

  /** Approved → a new draft version with the same content; the approved version stays frozen. */
  async function revise(context: AuditContext, id: string): Promise<Assessment> {
    const row = await db.transaction().execute(async (tx) => {
      const locked = await store.lock(tx, id);
      if (!locked) throw notFound();
      if (locked.status !== 'approved')
        throw new AppError('invalid_transition', 'Only an approved DPIA is revised into a new version.', {
          extensions: { status: locked.status },
        });
      const updated = await store.update(tx, id, {
        status: 'draft',
        version: locked.version + 1,
        chain: JSON.stringify([]),
        step_index: 0,
        updated_at: clock.now(),
      });
      await audit.append(tx, context, {
        action: 'assessments.dpia.revised',
        outcome: 'success',
        target: { type: 'assessment', id },
        details: { from: locked.version, to: updated.version, reason: locked.review_reason },
      });
      return updated;
    });
    return present(row, await store.signOffs(db, id));
  }

  async function versions(id: string): Promise<Snapshot[]> {
    if (!(await store.find(db, id))) throw notFound();
    return (await store.versions(db, id)).map((row) => row.snapshot as unknown as Snapshot);
  }

  async function version(id: string, number: number): Promise<Snapshot> {
    const found = (await versions(id)).find((entry) => entry.version === number);
    if (!found) throw new AppError('not_found', 'No approved version with this number.');
    return found;
  }

  async function diff(id: string, from: number, to: number): Promise<Change[]> {
    return diffVersions(await version(id, from), await version(id, to));
  }

  /** Counts for the compliance dashboard (and the console's overview). */
  async function summary(): Promise<AssessmentSummary> {
    const all = await screenings.list();
    const dpias = await list(undefined, all);
    const today = clock.now().toISOString().slice(0, 10);
    const soon = new Date(clock.now().getTime() + settings.reviewSoonDays * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const byActivity = new Map(dpias.filter((d) => d.activityId).map((d) => [d.activityId, d]));
    const everApproved = new Set(
      dpias.filter((d) => d.status === 'approved' || d.version > 1).map((d) => d.id),
    );
    return {
      due: all
        .filter((s) => s.activityId && s.result.outcome === 'required')
        .filter((s) => {
          const dpia = byActivity.get(s.activityId);
          return !dpia || !everApproved.has(dpia.id);
        }).length,
      screeningsIncomplete: all.filter((s) => s.result.outcome === 'incomplete').length,
      drafts: dpias.filter((d) => d.status === 'draft').length,
      inReview: dpias.filter((d) => d.status === 'in_review').length,
      done: dpias.filter((d) => d.status === 'approved' && !d.reviewReason && (d.reviewDue ?? '') >= today)
        .length,
      flaggedForReview: dpias.filter((d) => d.status === 'approved' && d.reviewReason === 'activity_changed')
        .length,
      activityDeleted: dpias.filter((d) => d.reviewReason === 'activity_deleted').length,
      reviewOverdue: dpias.filter(
        (d) => d.status === 'approved' && d.reviewDue !== null && d.reviewDue < today,
      ).length,
      reviewDueSoon: dpias.filter(
        (d) => d.status === 'approved' && d.reviewDue !== null && d.reviewDue >= today && d.reviewDue <= soon,
      ).length,
    };
  }

  return {
    chainSettings,
    saveSettings,
    get,
    list,
    create,
    linkScreening,
    update,
    saveRisks,
    submit,
    approve: (context: AuditContext, approver: Approver, id: string, step: string, comment: string) =>
      decide(context, approver, id, step, comment, 'approved'),
    reject: (context: AuditContext, approver: Approver, id: string, step: string, comment: string) =>
      decide(context, approver, id, step, comment, 'rejected'),
    revise,
    versions,
    version,
    diff,
    summary,
  };
}

export type AssessmentRegister = ReturnType<typeof assessmentRegister>;
