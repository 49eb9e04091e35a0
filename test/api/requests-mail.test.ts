import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { maxDeliveryAttempts } from '../../src/modules/mail/mail-service.js';
import { deadlineReminderJobName } from '../../src/modules/requests/request-jobs.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { captureLog } from '../helpers/log-capture.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(62);

const dayMs = 86_400_000;
const waitForMail = { timeout: 20_000, interval: 100 };

describe('request mail over SMTP', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let service: AuthHeaders;
  const { lines: logLines, stream: logStream } = captureLog();

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({
      logStream,
      env: { SMTP_URL: smtp.url, CUSTOS_MAIL_FROM: 'Privacy Team <privacy@example.org>' },
    });
    await t.runtime.jobs.start({ work: true });
    service = await actAs(t, 'service');
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  async function file(payload: Record<string, unknown>) {
    const response = await t.app.inject({ method: 'POST', url: '/v1/requests', headers: service, payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  it('e-mails the verification code, and the code from the e-mail verifies the request', async () => {
    const email = faker.internet.email();
    const request = await file({ type: 'access', contactEmail: email });
    const sent = await t.app.inject({
      method: 'POST',
      url: `/v1/requests/${request.id}/verification`,
      headers: service,
    });
    expect(sent.statusCode).toBe(202);

    const mail = await vi.waitFor(() => {
      const [received] = smtp.to(email);
      expect(received).toBeDefined();
      return received as NonNullable<typeof received>;
    }, waitForMail);
    expect(mail.from?.value[0]).toMatchObject({ address: 'privacy@example.org', name: 'Privacy Team' });
    expect(mail.text).toContain(request.id);
    const code = /code: (\d{6})/.exec(mail.text ?? '')?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);

    const confirmed = await t.app.inject({
      method: 'POST',
      url: `/v1/requests/${request.id}/verification/confirm`,
      headers: service,
      payload: { code },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ state: 'verified', verification: { method: 'email_code' } });

    // Delivered mail keeps only its metadata in the outbox, and the address never reaches the logs.
    const outbox = await t.app.inject({
      method: 'GET',
      url: '/v1/outbox?kind=request.verification_code',
      headers: await actAs(t, 'privacy_agent'),
    });
    const [entry] = outbox
      .json()
      .items.filter((item: { reference: { id: string } }) => item.reference.id === request.id);
    expect(entry).toMatchObject({ status: 'sent', content: null, attempts: 1, lastError: null });
    expect(logLines.join('')).not.toContain(email);
    expect(logLines.join('')).not.toContain(code);
    expect(logLines.some((line) => line.includes('"outcome":"sent"'))).toBe(true);
  });

  it('schedules the daily deadline reminder with pg-boss', async () => {
    const { rows } = await t.runtime.database.executeSql(
      'select name, cron, timezone from pgboss.schedule where name = $1',
      [deadlineReminderJobName],
    );
    expect(rows).toEqual([{ name: deadlineReminderJobName, cron: '0 7 * * *', timezone: 'UTC' }]);
  });

  it('reminds each assignee of their overdue and soon-due requests, and of nothing else', async () => {
    const operator = await createOperator(t, { roles: ['privacy_agent'] });
    const colleague = await createOperator(t, { roles: ['dpo'] });
    const now = Date.now();
    const receivedAgo = (days: number) => new Date(now - days * dayMs).toISOString();
    const overdue = await file({
      type: 'access',
      contactEmail: faker.internet.email(),
      receivedAt: receivedAgo(40),
    });
    const dueSoon = await file({
      type: 'erasure',
      contactEmail: faker.internet.email(),
      receivedAt: receivedAgo(26),
    });
    const later = await file({
      type: 'know',
      contactEmail: faker.internet.email(),
      receivedAt: receivedAgo(1),
    });
    const unassigned = await file({
      type: 'access',
      contactEmail: faker.internet.email(),
      receivedAt: receivedAgo(40),
    });
    const dpo = await actAs(t, 'dpo');
    for (const request of [overdue, dueSoon, later]) {
      const assigned = await t.app.inject({
        method: 'PUT',
        url: `/v1/requests/${request.id}/assignee`,
        headers: dpo,
        payload: { operatorId: operator.id },
      });
      expect(assigned.statusCode).toBe(200);
    }

    await t.runtime.jobs.send(deadlineReminderJobName, {});

    const reminder = await vi.waitFor(() => {
      const [received] = smtp.to(operator.email);
      expect(received).toBeDefined();
      return received as NonNullable<typeof received>;
    }, waitForMail);
    expect(reminder.subject).toBe('Data-subject requests: 1 overdue, 1 due within 7 days');
    expect(reminder.text).toContain(overdue.id);
    expect(reminder.text).toContain(dueSoon.id);
    expect(reminder.text).not.toContain(later.id);
    expect(reminder.text).not.toContain(unassigned.id);
    expect(reminder.text).toContain(`http://localhost:8080/console/requests/${overdue.id}`);
    expect(smtp.to(colleague.email)).toEqual([]);
  });
});

describe('mail an SMTP server refuses', () => {
  let t: TestApp;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await startSmtpSink({ rejectRecipients: true });
    t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    // Queues exist so mail can be enqueued; nothing works them, so this test drives delivery itself.
    await t.runtime.jobs.start({ work: false });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('records each failed attempt by its error code, and keeps the message for an operator after the last', async () => {
    const service = await actAs(t, 'service');
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/requests',
      headers: service,
      payload: { type: 'access', contactEmail: faker.internet.email() },
    });
    const request = created.json();
    await t.app.inject({ method: 'POST', url: `/v1/requests/${request.id}/verification`, headers: service });
    const outbox = async () => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/outbox',
        headers: await actAs(t, 'dpo'),
      });
      return response
        .json()
        .items.find((item: { reference: { id: string } }) => item.reference.id === request.id);
    };
    const queued = await outbox();
    expect(queued).toMatchObject({ status: 'queued', attempts: 0 });

    for (let attempt = 1; attempt < maxDeliveryAttempts; attempt += 1) {
      await expect(t.runtime.services.mail.deliver(queued.id)).rejects.toThrow();
      expect(await outbox()).toMatchObject({ status: 'queued', attempts: attempt, lastError: 'EENVELOPE' });
    }
    expect(await t.runtime.services.mail.deliver(queued.id)).toBe('failed');
    const failed = await outbox();
    expect(failed).toMatchObject({ status: 'failed', attempts: maxDeliveryAttempts });
    expect(failed.content.text).toMatch(/code: \d{6}/);
    expect(smtp.messages).toEqual([]);
  });
});
