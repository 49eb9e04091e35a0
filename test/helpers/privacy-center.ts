import { registrationJobName } from '../../src/modules/privacy-center/registration.js';
import { actAs } from './auth.js';
import type { TestApp } from './test-app.js';

export const confirmationCodeKind = 'privacy.account.verification_code';
export const alreadyRegisteredKind = 'privacy.account.already_registered';

export type HeldMessage = { kind: string; content: { to: string; subject: string; text: string } | null };

/** The confirmation code in a message's text, as the person reads it. */
export function codeIn(text: string | undefined): string | undefined {
  return /enter this code: (\d{8})/.exec(text ?? '')?.[1];
}

/**
 * Works the registrations waiting for their job, oldest first, as a worker would (test apps work no jobs
 * unless started): runs the job's handler for each queued `privacy.registrations.work` job and marks it
 * completed. A failing handler leaves its job queued, as a retry would, and its error is thrown.
 */
export async function workRegistrations(t: TestApp): Promise<number> {
  const definition = t.runtime.services.jobDefinitions.find((job) => job.name === registrationJobName);
  if (!definition) throw new Error(`no ${registrationJobName} job is defined`);
  const { rows } = await t.runtime.database.executeSql(
    `select id, data from pgboss.job where name = $1 and state in ('created', 'retry') order by created_on, id`,
    [registrationJobName],
  );
  const jobs = rows as { id: string; data: object }[];
  for (const job of jobs) {
    await definition.handler(job.data, { id: job.id });
    await t.runtime.database.executeSql(
      `update pgboss.job set state = 'completed', completed_on = now() where name = $1 and id = $2`,
      [registrationJobName, job.id],
    );
  }
  return jobs.length;
}

/** Registers through the API and works the registration's job, as the privacy center's page and worker do. */
export async function registerAndWork(
  t: TestApp,
  payload: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const response = await t.app.inject({ method: 'POST', url: '/v1/privacy/register', headers, payload });
  await workRegistrations(t);
  return response;
}

/**
 * Messages of one kind the outbox holds for `email` (no SMTP server configured), newest first, read
 * through the API by an operator who may read the outbox, as the privacy team would, once the queued
 * registrations are worked.
 */
export async function heldMailTo(t: TestApp, email: string, kind: string): Promise<HeldMessage[]> {
  // The messages of registrations are written by their job.
  await workRegistrations(t);
  const response = await t.app.inject({
    method: 'GET',
    url: `/v1/outbox?kind=${kind}&limit=200`,
    headers: await actAs(t, 'dpo'),
  });
  if (response.statusCode !== 200) throw new Error(`the outbox answered ${response.statusCode}`);
  const items = response.json().items as HeldMessage[];
  return items.filter((item) => item.content?.to.toLowerCase() === email.toLowerCase());
}

/** The newest confirmation code e-mailed to `email`, from the outbox. */
export async function confirmationCodeFor(t: TestApp, email: string): Promise<string> {
  const [newest] = await heldMailTo(t, email, confirmationCodeKind);
  const code = codeIn(newest?.content?.text);
  if (!code) throw new Error('no confirmation code was e-mailed to this address');
  return code;
}

export type ConfirmedSubject = {
  /** The privacy center session cookie and CSRF token. */
  headers: Record<string, string>;
  subjectId: string;
};

/**
 * A data subject who registered through the API and confirmed the address with the code e-mailed to it:
 * signed in, as after the privacy center's registration page.
 */
export async function registerConfirmed(
  t: TestApp,
  payload: { email: string } & Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<ConfirmedSubject> {
  const registered = await t.app.inject({ method: 'POST', url: '/v1/privacy/register', headers, payload });
  if (registered.statusCode !== 202) {
    throw new Error(`registration answered ${registered.statusCode}: ${registered.body}`);
  }
  const code = await confirmationCodeFor(t, payload.email);
  const verified = await t.app.inject({
    method: 'POST',
    url: '/v1/privacy/verify',
    headers,
    payload: { email: payload.email, code },
  });
  if (verified.statusCode !== 200)
    throw new Error(`verification answered ${verified.statusCode}: ${verified.body}`);
  const cookie = verified.cookies.find((entry) => entry.name === 'custos_privacy_session');
  if (!cookie) throw new Error('no privacy center session cookie was set');
  const body = verified.json();
  return {
    headers: { cookie: `custos_privacy_session=${cookie.value}`, 'x-csrf-token': body.csrfToken },
    subjectId: body.subjectId,
  };
}
