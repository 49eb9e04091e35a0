import type { MailMessage } from '../mail/mail-service.js';
import { describePeriod, parseRetentionPeriod } from '../retention/retention-period.js';
import type { KeptGroup } from '../retention/retention-tables.js';
import { retentionGroundLabels } from '../retention/retention-types.js';
import type { RequestRow } from './request-store.js';
import { type LiftReason, type NothingToStop, requestTypeLabels } from './request-types.js';

/**
 * The answers a fulfilled request sends its subject. They name collections, fields and purposes — what
 * the organization does — never the values it holds; the subject's address travels only as the recipient.
 */
type RequestRef = Pick<RequestRow, 'id' | 'type'>;

const reference = (request: RequestRef) => ({ type: 'request', id: request.id });
const footer = (request: RequestRef) => ['', `Request reference: ${request.id}`];

function systemsLine(systems: number, verb: string): string[] {
  if (systems === 0) return [];
  const noun = systems === 1 ? 'other system that holds' : `${systems} other systems that hold`;
  return [
    '',
    `We have also asked the ${noun} copies of your data to ${verb}, and will complete your request when they confirm.`,
  ];
}

function keptLines(group: KeptGroup): string[] {
  const grounds = [...new Set(group.policies.map((policy) => retentionGroundLabels[policy.legalBasis]))];
  const periods = group.policies.map((policy) => {
    const period = parseRetentionPeriod(policy.duration);
    const why = policy.description ? `${policy.name} (${policy.description})` : policy.name;
    return `  ${why}: ${period ? describePeriod(period) : policy.duration} from when it was stored`;
  });
  return [
    `- ${group.collection}: ${group.records} record(s), keeping ${group.fields.join(', ')}${
      group.anonymized.length > 0 ? ` and, anonymized, ${group.anonymized.join(', ')}` : ''
    }`,
    `  Why: ${grounds.join('; ')}`,
    ...periods,
    `  Erased at the latest on ${group.until.slice(0, 10)}`,
  ];
}

/** The kind of the answer to an erasure request: kept when later erasures remove other held mail. */
export const erasureDoneKind = 'request.erasure_done';

export function erasureNotice(
  request: RequestRef,
  to: string,
  outcome: { kept: KeptGroup[]; systems: number },
): MailMessage {
  const kept = outcome.kept.length > 0;
  return {
    kind: erasureDoneKind,
    to,
    subject: kept ? 'Your data was erased, except what we must keep' : 'Your data was erased',
    text: [
      `We have acted on your request for ${requestTypeLabels[request.type]}.`,
      '',
      kept
        ? 'We have erased your personal data, except the following, which the law requires or allows us to keep for now (GDPR Art. 17(3)). What we keep is reduced to what that purpose needs and used for nothing else; it is erased when the period ends.'
        : 'We have erased all the personal data we held about you. It can no longer be read, by us or anyone else.',
      ...(kept ? ['', ...outcome.kept.flatMap(keptLines)] : []),
      ...systemsLine(outcome.systems, 'erase them'),
      ...footer(request),
    ].join('\n'),
    reference: reference(request),
  };
}

export function rectificationNotice(
  request: RequestRef,
  to: string,
  outcome: { fields: string[]; systems: number },
): MailMessage {
  return {
    kind: 'request.rectification_done',
    to,
    subject: 'Your data was corrected',
    text: [
      `We have acted on your request for ${requestTypeLabels[request.type]}.`,
      '',
      `We have corrected: ${outcome.fields.join(', ')}.`,
      ...systemsLine(outcome.systems, 'correct them'),
      ...footer(request),
    ].join('\n'),
    reference: reference(request),
  };
}

export function restrictionNotice(
  request: RequestRef,
  to: string,
  outcome: { systems: number },
): MailMessage {
  return {
    kind: 'request.restriction_done',
    to,
    subject: 'The processing of your data is restricted',
    text: [
      `We have acted on your request for ${requestTypeLabels[request.type]}.`,
      '',
      'We keep your personal data stored but no longer use it, except with your consent, for legal claims, to protect the rights of another person, or for reasons of important public interest (GDPR Art. 18(2)).',
      'We will tell you before the restriction is lifted.',
      ...systemsLine(outcome.systems, 'restrict them too'),
      ...footer(request),
    ].join('\n'),
    reference: reference(request),
  };
}

const liftTexts: Record<LiftReason, string> = {
  accuracy_verified: 'we have verified the accuracy of your data',
  grounds_overriding: 'we have verified that our legitimate grounds override yours',
  subject_consent: 'you have agreed to it',
  legal_claims_concluded: 'the legal claims the data was kept for are concluded',
  other: 'the reason for the restriction no longer applies',
};

export function restrictionLiftedNotice(request: RequestRef, to: string, reason: LiftReason): MailMessage {
  return {
    kind: 'request.restriction_lifted',
    to,
    subject: 'The restriction of processing of your data is lifted',
    text: [
      `The restriction of processing you asked for is lifted, because ${liftTexts[reason]} (GDPR Art. 18(3)).`,
      '',
      'You may object to the processing, ask for rectification or erasure, and lodge a complaint with a supervisory authority.',
      ...footer(request),
    ].join('\n'),
    reference: reference(request),
  };
}

export function objectionNotice(
  request: RequestRef,
  to: string,
  outcome: { stopped: string[]; optOut: boolean; nothing?: NothingToStop | null },
): MailMessage {
  const what = outcome.optOut
    ? 'We no longer sell or share your personal information'
    : 'We have stopped processing your personal data';
  const nothing =
    outcome.nothing === 'already_stopped'
      ? outcome.optOut
        ? 'You had already opted out of every sale or sharing of your personal information, so nothing changed.'
        : 'You had already objected to every processing your request applies to, so nothing changed.'
      : outcome.optOut
        ? 'We do not sell or share personal information for any purpose, so there was nothing to opt out of.'
        : 'None of our purposes of processing is one your request applies to (legitimate interests, public task or direct marketing), so there was nothing to object to.';
  return {
    kind: 'request.objection_done',
    to,
    subject: outcome.optOut ? 'You have opted out of sale and sharing' : 'Your objection is recorded',
    text: [
      `We have acted on your request for ${requestTypeLabels[request.type]}.`,
      '',
      outcome.stopped.length > 0 ? `${what} for: ${outcome.stopped.join(', ')}.` : nothing,
      ...footer(request),
    ].join('\n'),
    reference: reference(request),
  };
}

export function optInNotice(request: RequestRef, to: string, outcome: { started: string[] }): MailMessage {
  return {
    kind: 'request.opt_in_done',
    to,
    subject: 'You have opted in to sale and sharing',
    text: [
      `We have acted on your request for ${requestTypeLabels[request.type]}, which you confirmed.`,
      '',
      outcome.started.length > 0
        ? `You have opted in to the sale or sharing of your personal information for: ${outcome.started.join(', ')}. You can opt out again at any time.`
        : 'You were already opted in to every sale or sharing of your personal information, so nothing changed.',
      ...footer(request),
    ].join('\n'),
    reference: reference(request),
  };
}
