import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import type { AuditContext } from '../../src/modules/audit/audit-types.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { caller, createCollections, createPerson, type Person } from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1801);

const hour = 3_600_000;

describe('breaches', () => {
  const clock = fixedClock(new Date());
  let t: TestApp;
  let as: ReturnType<typeof caller>;
  let service: AuthHeaders;
  let security: AuthHeaders;

  beforeAll(async () => {
    t = await createTestApp({
      clock,
      env: { CUSTOS_REVEAL_ALERT_THRESHOLD: '3' },
    });
    await t.runtime.jobs.start({ work: false });
    as = caller(t);
    service = await actAs(t, 'service');
    security = await actAs(t, 'security');
    await createCollections(t, ['customers', 'orders']);
  });

  afterAll(async () => {
    await t?.close();
  });

  async function newBreach(body: Record<string, unknown> = {}) {
    const created = await as(security, 'POST', '/v1/breaches', {
      title: 'Laptop stolen from a car',
      awareAt: clock.now().toISOString(),
      discovery: 'report',
      ...body,
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as { id: string; deadlineAt: string; clock: { msLeft: number } };
  }

  const detail = async (id: string) => {
    const found = await as('auditor', 'GET', `/v1/breaches/${id}`);
    expect(found.statusCode, found.body).toBe(200);
    return found.json();
  };

  describe('the register', () => {
    it('sets the deadline 72 hours after awareness at 23:30 UTC and shows the time left', async () => {
      const awareAt = new Date(clock.now().getTime() - 2 * 86_400_000);
      awareAt.setUTCHours(23, 30, 0, 0);
      const breach = await newBreach({ awareAt: awareAt.toISOString() });
      expect(breach.deadlineAt).toBe(new Date(awareAt.getTime() + 72 * hour).toISOString());
      expect(breach.clock.msLeft).toBe(awareAt.getTime() + 72 * hour - clock.now().getTime());
    });

    it('keeps 72 real hours across the change to summer time, as stored and read back', async () => {
      // Brussels: 2026-03-29 02:00 CET becomes 03:00 CEST.
      const breach = await newBreach({ awareAt: '2026-03-27T10:00:00+01:00' });
      expect(breach.deadlineAt).toBe('2026-03-30T09:00:00.000Z');
      expect((await detail(breach.id)).breach.deadlineAt).toBe('2026-03-30T09:00:00.000Z');
    });

    it('refuses a breach that started after the organization became aware of it', async () => {
      const refused = await as(security, 'POST', '/v1/breaches', {
        title: 'Impossible',
        awareAt: clock.now().toISOString(),
        occurredFrom: new Date(clock.now().getTime() + hour).toISOString(),
        discovery: 'report',
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json().errors[0].path).toBe('occurredFrom');
    });

    it('refuses a deadline set by hand', async () => {
      const breach = await newBreach();
      const refused = await as(security, 'PATCH', `/v1/breaches/${breach.id}`, {
        deadlineAt: new Date(clock.now().getTime() + 200 * hour).toISOString(),
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('deadlineAt');
    });

    it('walks the lifecycle with tasks, records every change on the timeline and in the audit log', async () => {
      const breach = await newBreach();
      const task = await as(security, 'POST', `/v1/breaches/${breach.id}/tasks`, {
        title: 'Revoke the laptop’s VPN certificate',
        owner: 'IT security',
      });
      expect(task.statusCode, task.body).toBe(201);
      const done = await as(security, 'PATCH', `/v1/breaches/${breach.id}/tasks/${task.json().id}`, {
        status: 'done',
      });
      expect(done.json().status).toBe('done');
      const patched = await as(security, 'PATCH', `/v1/breaches/${breach.id}`, {
        facts: { nature: ['confidentiality'], subjectsCount: 40, subjectsApproximate: true },
        note: 'Counted from the sales team’s exports.',
      });
      expect(patched.statusCode, patched.body).toBe(200);
      for (const status of ['confirmed', 'contained']) {
        const moved = await as(security, 'POST', `/v1/breaches/${breach.id}/status`, { status });
        expect(moved.statusCode, moved.body).toBe(200);
      }
      const early = await as(security, 'POST', `/v1/breaches/${breach.id}/status`, { status: 'closed' });
      expect(early.statusCode).toBe(422);
      await as(security, 'PATCH', `/v1/breaches/${breach.id}`, { lessonsLearned: 'Encrypt laptop disks.' });
      const closed = await as(security, 'POST', `/v1/breaches/${breach.id}/status`, { status: 'closed' });
      expect(closed.json()).toMatchObject({ status: 'closed', clock: { stopped: true } });
      const reopened = await as(security, 'POST', `/v1/breaches/${breach.id}/status`, {
        status: 'confirmed',
      });
      expect(reopened.statusCode).toBe(409);

      const timeline = await as('auditor', 'GET', `/v1/breaches/${breach.id}/timeline`);
      expect(timeline.json().items.map((event: { kind: string }) => event.kind)).toEqual([
        'created',
        'task_added',
        'task_updated',
        'updated',
        'status_changed',
        'status_changed',
        'updated',
        'status_changed',
      ]);
      expect(timeline.json().items[3].fields).toEqual([
        'facts.nature',
        'facts.subjectsCount',
        'facts.subjectsApproximate',
      ]);
      const entries = await as('auditor', 'GET', `/v1/audit/entries?targetId=${breach.id}&limit=50`);
      expect(entries.json().items).toHaveLength(8);
      expect(JSON.stringify(entries.json())).not.toContain('sales team');
    });

    it('lets auditors read and refuses them changes', async () => {
      const breach = await newBreach();
      expect((await as('auditor', 'GET', '/v1/breaches')).statusCode).toBe(200);
      const refused = await as('auditor', 'PATCH', `/v1/breaches/${breach.id}`, { title: 'No' });
      expect(refused.statusCode).toBe(403);
    });

    it('needs a reason to dismiss, and a dismissed breach takes no notices', async () => {
      const breach = await newBreach();
      const bare = await as(security, 'POST', `/v1/breaches/${breach.id}/status`, { status: 'dismissed' });
      expect(bare.statusCode).toBe(422);
      await as(security, 'POST', `/v1/breaches/${breach.id}/status`, {
        status: 'dismissed',
        reason: 'The laptop was found in the office, never out of our hands.',
      });
      const notice = await as(security, 'POST', `/v1/breaches/${breach.id}/authority-notices`, {
        phase: 'initial',
      });
      expect(notice.statusCode).toBe(409);
      expect(notice.json().code).toBe('invalid_transition');
    });
  });

  describe('the clock’s alerts', () => {
    it('raises an alert at 24 hours left, again at 6 hours left, and once overdue', async () => {
      const breach = await newBreach();
      const check = () => t.runtime.services.checkBreachClocks();
      // Read through the service: sessions would lapse as the clock moves days on.
      const alertsFor = async () => {
        const listed = await t.runtime.services.alerts.list({}, undefined, 200);
        return listed.items.filter((alert) => alert.target_id === breach.id);
      };
      const start = clock.now();
      try {
        await check();
        expect(await alertsFor()).toEqual([]);
        clock.set(new Date(start.getTime() + 48 * hour));
        await check();
        expect(await alertsFor()).toMatchObject([
          { kind: 'breach.deadline_near', details: { hoursLeft: 24 } },
        ]);
        await check();
        expect((await alertsFor())[0]?.count).toBe(1);
        clock.set(new Date(start.getTime() + 66 * hour));
        await check();
        expect(await alertsFor()).toMatchObject([
          { kind: 'breach.deadline_near', count: 2, details: { hoursLeft: 6 } },
        ]);
        clock.set(new Date(start.getTime() + 73 * hour));
        await check();
        const kinds = (await alertsFor()).map((alert) => alert.kind).sort();
        expect(kinds).toEqual(['breach.deadline_near', 'breach.notification_overdue']);
      } finally {
        clock.set(start);
      }
    });
  });

  describe('assessment and the authority notice', () => {
    it('proposes, and takes the DPO’s override only with a justification', async () => {
      const breach = await newBreach({ facts: { subjectsCount: 40, subjectsApproximate: true } });
      const assessed = await as('dpo', 'POST', `/v1/breaches/${breach.id}/assessment`, {
        nature: ['confidentiality'],
        sensitivity: 'financial',
        identifiability: 'maximum',
        consequences: 'significant',
        vulnerableIndividuals: false,
        malicious: true,
      });
      expect(assessed.statusCode, assessed.body).toBe(200);
      expect(assessed.json().assessment.proposal).toMatchObject({
        severity: 'critical',
        notifyAuthority: true,
        notifyIndividuals: true,
      });
      expect(assessed.json().assessment.factors).toMatchObject({ protection: 'clear', subjectsAffected: 40 });
      const decision = { severity: 'high', notifyAuthority: true, notifyIndividuals: true };
      const bare = await as('dpo', 'POST', `/v1/breaches/${breach.id}/decision`, decision);
      expect(bare.statusCode).toBe(422);
      expect(bare.json().departsIn).toEqual(['severity']);
      const overridden = await as('dpo', 'POST', `/v1/breaches/${breach.id}/decision`, {
        ...decision,
        justification: 'The card numbers were truncated to their last four digits.',
      });
      expect(overridden.json()).toMatchObject({ severity: 'high', decision: { overridden: ['severity'] } });
    });

    it('generates notices per phase as JSON and HTML, and a late submission needs reasons', async () => {
      const breach = await newBreach({
        facts: {
          description: 'A sales laptop was stolen.',
          nature: ['confidentiality'],
          dataCategories: ['user.contact.email'],
          subjectsCount: 40,
          subjectsApproximate: true,
          consequences: 'Phishing.',
          measures: 'Remote wipe.',
        },
      });
      const followUpFirst = await as(security, 'POST', `/v1/breaches/${breach.id}/authority-notices`, {
        phase: 'follow_up',
      });
      expect(followUpFirst.statusCode).toBe(422);
      const initial = await as(security, 'POST', `/v1/breaches/${breach.id}/authority-notices`, {
        phase: 'initial',
      });
      expect(initial.json()).toEqual({ version: 1, phase: 'initial' });
      const json = await as('auditor', 'GET', `/v1/breaches/${breach.id}/authority-notices/1`);
      expect(json.json().document).toMatchObject({
        version: 1,
        phase: 'initial',
        subjects: { count: 40, approximate: true },
        dataCategories: ['user.contact.email'],
        consequences: 'Phishing.',
        measures: 'Remote wipe.',
      });
      const html = await as('auditor', 'GET', `/v1/breaches/${breach.id}/authority-notices/1?format=html`);
      expect(html.headers['content-type']).toContain('text/html');
      expect(html.body).toContain('Likely consequences (Art. 33(3)(c))');
      expect(html.body).toContain('About 40');
      const pdf = await as('auditor', 'GET', `/v1/breaches/${breach.id}/authority-notices/1?format=pdf`);
      expect(pdf.statusCode, pdf.body.slice(0, 300)).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');

      const start = clock.now();
      try {
        clock.set(new Date(start.getTime() + 80 * hour));
        security = await actAs(t, 'security');
        const submission = {
          submittedAt: clock.now().toISOString(),
          reference: 'DPA-2026-118',
          channel: 'portal',
        };
        const late = await as(
          security,
          'POST',
          `/v1/breaches/${breach.id}/authority-notices/1/submission`,
          submission,
        );
        expect(late.statusCode).toBe(422);
        const withReasons = await as(
          security,
          'POST',
          `/v1/breaches/${breach.id}/authority-notices/1/submission`,
          {
            ...submission,
            lateReasons: 'The processor told us only on the third day.',
          },
        );
        expect(withReasons.statusCode, withReasons.body).toBe(200);
        const followUp = await as(security, 'POST', `/v1/breaches/${breach.id}/authority-notices`, {
          phase: 'follow_up',
        });
        expect(followUp.json()).toEqual({ version: 2, phase: 'follow_up' });
        const second = await as(security, 'GET', `/v1/breaches/${breach.id}/authority-notices/2`);
        expect(second.json().document).toMatchObject({
          lateReasons: 'The processor told us only on the third day.',
          earlierPhases: [{ version: 1, phase: 'initial', reference: 'DPA-2026-118' }],
        });
        const found = (await as(security, 'GET', `/v1/breaches/${breach.id}`)).json();
        expect(found.breach.clock).toMatchObject({ stopped: true, overdue: true });
        expect(found.notices.map((notice: { version: number }) => notice.version)).toEqual([1, 2]);
      } finally {
        clock.set(start);
        security = await actAs(t, 'security');
      }
    });
  });

  describe('blast radius', () => {
    it('finds exactly the 300 subjects one key read in the window', async () => {
      const audit = t.runtime.services.audit;
      const keyId = faker.string.uuid();
      const other = faker.string.uuid();
      const contextOf = (id: string): AuditContext => ({
        actor: { type: 'api_key', id },
        requestId: null,
        ip: null,
      });
      const read = (subjectId: string, revealed: boolean) => ({
        action: 'vault.record.read',
        outcome: 'success' as const,
        target: { type: 'subject', id: subjectId },
        purpose: 'support',
        details: { revealed, records: 1, fields: ['customers.email', 'customers.full_name'] },
      });
      const append = (entries: { context: AuditContext; entry: ReturnType<typeof read> }[]) =>
        t.runtime.database.db.transaction().execute((tx) => audit.appendMany(tx, entries));
      const start = clock.now();
      const inside = Array.from({ length: 300 }, () => faker.string.uuid());
      try {
        clock.set(new Date(start.getTime() - 3 * hour));
        await append(
          Array.from({ length: 40 }, () => ({
            context: contextOf(keyId),
            entry: read(faker.string.uuid(), true),
          })),
        );
        clock.set(new Date(start.getTime() - 2 * hour));
        const window = { from: clock.now().toISOString() };
        await append(
          inside.map((subjectId, index) => ({
            context: contextOf(keyId),
            entry: read(subjectId, index % 2 === 0),
          })),
        );
        await append(
          inside
            .slice(0, 50)
            .map((subjectId) => ({ context: contextOf(keyId), entry: read(subjectId, true) })),
        );
        await append(
          Array.from({ length: 60 }, () => ({
            context: contextOf(other),
            entry: read(faker.string.uuid(), true),
          })),
        );
        clock.set(new Date(start.getTime() - hour));
        const until = clock.now().toISOString();
        clock.set(new Date(start.getTime() - hour + 1));
        await append(
          Array.from({ length: 30 }, () => ({
            context: contextOf(keyId),
            entry: read(faker.string.uuid(), true),
          })),
        );
        clock.set(start);

        const query = { source: { kind: 'principal', type: 'api_key', id: keyId }, ...window, until };
        const radius = await as(security, 'POST', '/v1/breaches/blast-radius', query);
        expect(radius.statusCode, radius.body).toBe(200);
        expect(radius.json()).toMatchObject({
          subjects: 300,
          entries: 350,
          kinds: { read: 150, revealed: 175 },
          fields: ['customers.email', 'customers.full_name'],
          categories: ['user.contact.email', 'user.name'],
        });
        const breach = await newBreach();
        const attached = await as(security, 'POST', `/v1/breaches/${breach.id}/affected-set`, query);
        expect(attached.statusCode, attached.body).toBe(200);
        const found = await detail(breach.id);
        expect(found.affected.subjects).toBe(300);
        expect(found.breach.facts).toMatchObject({ subjectsCount: 300, subjectsApproximate: false });
        const listed: string[] = [];
        for (let cursor: string | null = ''; cursor !== null; ) {
          const page = await as(
            'auditor',
            'GET',
            `/v1/breaches/${breach.id}/affected-subjects?limit=120${cursor ? `&cursor=${cursor}` : ''}`,
          );
          listed.push(...page.json().items.map((item: { subjectId: string }) => item.subjectId));
          cursor = page.json().nextCursor;
        }
        expect(listed.sort()).toEqual([...inside].sort());
      } finally {
        clock.set(start);
      }
    });

    it('refuses a network range too wide to trace', async () => {
      const refused = await as(security, 'POST', '/v1/breaches/blast-radius', {
        source: { kind: 'network', range: '10.0.0.0/8' },
        from: new Date(clock.now().getTime() - hour).toISOString(),
        until: clock.now().toISOString(),
      });
      expect(refused.statusCode).toBe(400);
    });

    it('traces a client network range', async () => {
      const person = await createPerson(t, service, { orders: 0 });
      const from = new Date(clock.now().getTime() - 1).toISOString();
      const read = await t.app.inject({
        method: 'GET',
        url: `/v1/subjects/${person.subjectId}/records?purpose=support&reveal=true`,
        headers: service,
        remoteAddress: '198.51.100.77',
      });
      expect(read.statusCode, read.body).toBe(200);
      clock.advance(1);
      const radius = await as(security, 'POST', '/v1/breaches/blast-radius', {
        source: { kind: 'network', range: '198.51.96.0/20' },
        from,
        until: new Date(clock.now().getTime() + 1).toISOString(),
      });
      expect(radius.json()).toMatchObject({
        subjects: 1,
        sample: [person.subjectId],
        kinds: { revealed: 1 },
      });
    });
  });

  describe('from an alert to individual notices', () => {
    let people: Person[];
    let breachId: string;

    it('opens a breach from a mass-reveal alert with the revealed subjects as its affected set', async () => {
      const reader = await actAs(t, 'privacy_agent');
      people = [];
      for (let index = 0; index < 4; index += 1) people.push(await createPerson(t, service, { orders: 0 }));
      // One subject without any e-mail address in the vault.
      const bare = await as(service, 'POST', '/v1/subjects', { externalId: faker.string.uuid() });
      const bareId = bare.json().id as string;
      await as(service, 'POST', `/v1/subjects/${bareId}/records`, {
        collection: 'orders',
        fields: { item: 'Tea' },
      });
      for (const subjectId of [...people.map((person) => person.subjectId), bareId]) {
        const read = await as(reader, 'GET', `/v1/subjects/${subjectId}/records?purpose=support&reveal=true`);
        expect(read.statusCode, read.body).toBe(200);
      }
      // The monitoring job counts the reveals from the audit log of every process.
      await t.runtime.services.monitoring.run();
      const readerId = (await as(reader, 'GET', '/v1/auth/session')).json().operator.id;
      const alerts = await as(security, 'GET', '/v1/alerts?kind=vault.mass_reveal');
      // The job folds the whole log: earlier tests' principals may have alerts of their own.
      const alert = alerts
        .json()
        .items.find((item: { target: { id: string } }) => item.target.id === readerId);
      const opened = await as(security, 'POST', '/v1/breaches/from-alert', { alertId: alert.id });
      expect(opened.statusCode, opened.body).toBe(201);
      expect(opened.json()).toMatchObject({
        discovery: 'alert',
        alertId: alert.id,
        facts: { subjectsCount: 5 },
      });
      breachId = opened.json().id;
      const found = await detail(breachId);
      expect(found.affected.kinds).toEqual(['revealed']);
    });

    it('previews the notice, then sends it once to each reachable subject even after a crash mid-send', async () => {
      const advice = 'Change your password and beware of e-mails asking for it.';
      const preview = await as(
        'auditor',
        'GET',
        `/v1/breaches/${breachId}/individual-notices?advice=${encodeURIComponent(advice)}`,
      );
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json().notice.text).toContain(advice);
      expect(preview.json().progress).toEqual({ affected: 5, queued: 0, unreachable: 0 });

      const db = t.runtime.database.db;
      // A crash in the middle of the batch: the third message written to the outbox fails.
      await sql`create sequence breach_test_crash`.execute(db);
      await sql`create function breach_test_crash() returns trigger language plpgsql as $$
        begin
          if nextval('breach_test_crash') = 3 then raise exception 'crash mid-send'; end if;
          return new;
        end $$`.execute(db);
      await sql`create trigger breach_test_crash before insert on mail_outbox
        for each row execute function breach_test_crash()`.execute(db);
      const started = await as(security, 'POST', `/v1/breaches/${breachId}/individual-notices`, { advice });
      expect(started.statusCode, started.body).toBe(202);
      const context: AuditContext = { actor: { type: 'system', id: 'tests' }, requestId: null, ip: null };
      await expect(t.runtime.services.breachNotices.sendBatch(context, breachId)).rejects.toThrow();
      expect((await detail(breachId)).progress).toEqual({ affected: 5, queued: 0, unreachable: 0 });
      await sql`drop trigger breach_test_crash on mail_outbox`.execute(db);
      await sql`drop function breach_test_crash()`.execute(db);
      await sql`drop sequence breach_test_crash`.execute(db);

      // The job's retry: it sends batch after batch until no affected subject is left without a delivery.
      const job = t.runtime.services.jobDefinitions.find(
        (definition) => definition.name === 'breaches.individual_notices',
      );
      await job?.handler({ breachId }, { id: faker.string.uuid() });
      await job?.handler({ breachId }, { id: faker.string.uuid() });
      expect((await detail(breachId)).progress).toEqual({ affected: 5, queued: 4, unreachable: 1 });
      const outbox = await as('dpo', 'GET', '/v1/outbox?kind=breach.individual_notice&limit=200');
      const sent = outbox
        .json()
        .items.filter((item: { reference: { id: string } | null }) => item.reference?.id === breachId)
        .map((item: { content: { to: string } }) => item.content.to)
        .sort();
      expect(sent).toEqual(people.map((person) => person.email).sort());
      const decrypted = await as(
        'auditor',
        'GET',
        '/v1/audit/entries?action=vault.address.decrypted&limit=50',
      );
      const forBreach = decrypted
        .json()
        .items.filter((entry: { details: { breach: string } }) => entry.details.breach === breachId);
      expect(forBreach).toHaveLength(4);
      expect(forBreach[0]).toMatchObject({
        purpose: 'breach_notification',
        details: { field: 'customers.email' },
      });
      expect(JSON.stringify(decrypted.json())).not.toContain(people[0]?.email);
    });

    it('records a public communication and closes with lessons learned', async () => {
      const recorded = await as(security, 'POST', `/v1/breaches/${breachId}/public-communication`, {
        publishedAt: clock.now().toISOString(),
        channel: 'Our website',
        reference: 'https://example.com/notice',
        reason: 'One affected person has no address on file.',
      });
      expect(recorded.statusCode, recorded.body).toBe(200);
      await as(security, 'PATCH', `/v1/breaches/${breachId}`, { lessonsLearned: 'Alert on reveals sooner.' });
      for (const status of ['confirmed', 'contained', 'closed']) {
        const moved = await as(security, 'POST', `/v1/breaches/${breachId}/status`, { status });
        expect(moved.statusCode, moved.body).toBe(200);
      }
    });
  });
});
