import { Readable } from 'node:stream';
import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { subjectIdBatches } from '../../src/modules/consent/filter-input.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(53);

const system = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

describe('the consent filter', () => {
  const clock = fixedClock(new Date());
  let t: TestApp;
  let service: Record<string, string>;
  const purposes = {
    newsletter: { legalBasis: 'consent', dataUses: ['marketing.communications.email'] },
    analytics: { legalBasis: 'legitimate_interests', dataUses: ['analytics'] },
    ad_sale: {
      legalBasis: 'legitimate_interests',
      dataUses: ['marketing.advertising.third_party'],
      ccpa: { sale: true },
    },
    billing: { legalBasis: 'contract', dataUses: ['essential.service.payment_processing'] },
  } as const;
  const keys = Object.keys(purposes) as (keyof typeof purposes)[];
  const subjects: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ clock });
    const dpo = await actAs(t, 'dpo');
    service = await actAs(t, 'service');
    for (const [key, definition] of Object.entries(purposes)) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/consent/purposes',
        headers: dpo,
        payload: { key, name: key, text: faker.lorem.sentence(), ...definition },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    // A population in every state the rules tell apart.
    const { consent, records } = t.runtime.services;
    for (let index = 0; index < 40; index += 1) {
      const { id } = await records.createSubject(system, {});
      subjects.push(id);
      const choice = faker.helpers.arrayElement(['grant', 'withdraw', 'deny', 'expiring', 'none'] as const);
      if (choice === 'none') continue;
      await consent.record(system, {
        subjectId: id,
        purposes: [{ key: 'newsletter' }, { key: 'ad_sale' }],
        action: choice === 'expiring' ? 'grant' : choice,
        method: choice === 'grant' || choice === 'expiring' ? 'explicit_opt_in' : 'opt_out',
        source: 'import',
        expiresAt: choice === 'expiring' ? new Date(clock.now().getTime() + 1000) : undefined,
      });
      if (faker.datatype.boolean()) await consent.object(system, id, { source: 'api' });
    }
    await sql`update subjects set status = 'restricted' where id = ${subjects[0]}`.execute(
      t.runtime.database.db,
    );
    await records.shredSubject(system, subjects[1] as string);
    clock.advance(1000);
  });
  afterAll(() => t.close());

  async function allowedByCheck(key: string): Promise<string[]> {
    const allowed: string[] = [];
    for (const subjectId of subjects) {
      const [result] = await t.runtime.services.consentChecks.check(subjectId, [key]);
      if (result?.allowed) allowed.push(subjectId);
    }
    return allowed;
  }

  const filter = (key: string, body: string, contentType = 'application/x-ndjson') =>
    t.app.inject({
      method: 'POST',
      url: `/v1/consent/filter?purpose=${key}`,
      headers: { ...service, 'content-type': contentType },
      payload: body,
    });

  it('streams back exactly the subjects a check allows, in the order sent, for every kind of purpose', async () => {
    const unknown = faker.string.uuid();
    const lines = [
      ...subjects.map((id, index) =>
        index % 3 === 0 ? `"${id}"` : index % 3 === 1 ? JSON.stringify({ subjectId: id }) : id,
      ),
      `"${unknown}"`,
      'not a subject id',
      '',
    ];
    for (const key of keys) {
      const response = await filter(key, lines.join('\n'));
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toMatch(/application\/x-ndjson/);
      const allowed = response.body
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).subjectId);
      expect(allowed, key).toEqual(await allowedByCheck(key));
    }
    const contract = await filter('billing', lines.join('\n'));
    expect(contract.body.split('\n').filter(Boolean)).toHaveLength(subjects.length - 2);
  });

  it('pipelines batches through the service and audits each run once with its counts', async () => {
    const ids = [...subjects, ...subjects];
    async function* body() {
      yield ids.map((id) => `"${id}"`).join('\n');
    }
    const chunks = await t.runtime.services.consentChecks.filter(
      system,
      'newsletter',
      subjectIdBatches(Readable.from(body()), 7),
    );
    let output = '';
    for await (const chunk of chunks) output += chunk;
    const expected = await allowedByCheck('newsletter');
    expect(
      output
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).subjectId),
    ).toEqual([...expected, ...expected]);
    const entry = await t.runtime.database.db
      .selectFrom('audit_entries')
      .select(['details', 'target_id'])
      .where('action', '=', 'consent.filter.run')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(entry.target_id).toBe('newsletter');
    expect(entry.details).toMatchObject({
      submitted: ids.length,
      allowed: expected.length * 2,
      complete: true,
    });
  });

  it('wants NDJSON and a known purpose', async () => {
    expect((await filter('newsletter', '{}', 'application/json')).statusCode).toBe(415);
    const unknown = await filter('no_such_purpose', `"${subjects[2]}"`);
    expect(unknown.statusCode).toBe(404);
  });
});
