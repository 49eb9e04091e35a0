import type { MailMessage } from '../mail/mail-service.js';
import type { CalendarDate } from './deadlines.js';
import type { RequestRow } from './request-store.js';
import { type RejectionReason, requestTypeLabels } from './request-types.js';
import { codeTtlMs } from './verification-codes.js';

/**
 * The messages a request sends, to its subject and to the operators working it. They name the request by
 * its id and right, never by the person's data; the subject's address only travels as the recipient.
 */
type RequestRef = Pick<RequestRow, 'id' | 'type'>;

const reference = (request: RequestRef) => ({ type: 'request', id: request.id });

const rejectionTexts: Record<RejectionReason, string> = {
  identity_not_verified: 'we could not verify your identity',
  manifestly_unfounded: 'the request is manifestly unfounded',
  excessive: 'the request is excessive, in particular because of its repetitive character',
  duplicate: 'it repeats a request we are already answering or have answered',
  no_data_held: 'we hold no personal data about you',
  legal_obligation: 'a legal obligation requires us to keep processing the data',
  legal_claims: 'the data is needed for the establishment, exercise or defence of legal claims',
  freedom_of_expression: 'the processing is necessary for exercising the right of freedom of expression',
  public_interest: 'the processing is necessary for a task in the public interest',
  not_applicable: 'the right you asked to exercise does not apply to this processing',
};

export function verificationCodeNotice(request: RequestRef, to: string, code: string): MailMessage {
  const minutes = Math.round(codeTtlMs / 60_000);
  return {
    kind: 'request.verification_code',
    to,
    subject: `Your verification code: ${code}`,
    text: [
      `We received a request for ${requestTypeLabels[request.type]} with this e-mail address.`,
      '',
      `To confirm that it is yours, enter this code: ${code}`,
      '',
      `The code is valid for ${minutes} minutes and can be used once.`,
      'If you did not make this request, you can ignore this message: nothing happens without the code.',
      '',
      `Request reference: ${request.id}`,
    ].join('\n'),
    reference: reference(request),
  };
}

export function extensionNotice(
  request: RequestRef,
  to: string,
  change: { previousDueDate: CalendarDate; dueDate: CalendarDate; reason: string },
): MailMessage {
  return {
    kind: 'request.extended',
    to,
    subject: 'We need more time to answer your request',
    text: [
      `We are working on your request for ${requestTypeLabels[request.type]}.`,
      '',
      `We need more time to answer it completely, and have extended the deadline from ${change.previousDueDate} to ${change.dueDate}.`,
      '',
      'The reason:',
      change.reason,
      '',
      `Request reference: ${request.id}`,
    ].join('\n'),
    reference: reference(request),
  };
}

export function rejectionNotice(request: RequestRef, to: string, reason: RejectionReason): MailMessage {
  return {
    kind: 'request.rejected',
    to,
    subject: 'Your request could not be fulfilled',
    text: [
      `We cannot act on your request for ${requestTypeLabels[request.type]}, because ${rejectionTexts[reason]}.`,
      '',
      'You have the right to lodge a complaint with a supervisory authority and to seek a judicial remedy.',
      '',
      `Request reference: ${request.id}`,
    ].join('\n'),
    reference: reference(request),
  };
}

const formatNames: Record<string, string> = {
  json: 'Your data as JSON (machine-readable)',
  html: 'Your data as a web page (readable in any browser)',
  zip: 'Your data as a ZIP archive of JSON and CSV files, with a description of the format',
};

export function exportReadyNotice(
  request: RequestRef,
  to: string,
  links: { format: string; url: string }[],
  expiresAt: Date,
): MailMessage {
  return {
    kind: 'request.export_ready',
    to,
    subject: 'Your data is ready to download',
    text: [
      `We have prepared the answer to your request for ${requestTypeLabels[request.type]}.`,
      '',
      ...links.flatMap((link) => [`${formatNames[link.format] ?? link.format}:`, link.url, '']),
      `The links work until ${expiresAt.toISOString().slice(0, 10)}. Keep them private: anyone with a link can download what it points to.`,
      '',
      `Request reference: ${request.id}`,
    ].join('\n'),
    reference: reference(request),
  };
}

export type ReminderLine = Pick<RequestRow, 'id' | 'type' | 'regime'> & {
  dueDate: CalendarDate;
  daysLeft: number;
};

export function reminderNotice(to: string, lines: ReminderLine[], withinDays: number, consoleUrl: string) {
  const overdue = lines.filter((line) => line.daysLeft < 0);
  const dueSoon = lines.filter((line) => line.daysLeft >= 0);
  const describe = (line: ReminderLine) => {
    const when =
      line.daysLeft < 0
        ? `overdue by ${-line.daysLeft} day(s)`
        : line.daysLeft === 0
          ? 'due today'
          : `${line.daysLeft} day(s) left`;
    return `- ${line.type} (${line.regime.toUpperCase()}), due ${line.dueDate}, ${when}: ${consoleUrl}/requests/${line.id}`;
  };
  const message: MailMessage = {
    kind: 'request.deadline_reminder',
    to,
    subject: `Data-subject requests: ${overdue.length} overdue, ${dueSoon.length} due within ${withinDays} days`,
    text: [
      'These requests assigned to you need an answer soon.',
      ...(overdue.length > 0 ? ['', 'Overdue:', ...overdue.map(describe)] : []),
      ...(dueSoon.length > 0 ? ['', `Due within ${withinDays} days:`, ...dueSoon.map(describe)] : []),
    ].join('\n'),
  };
  return message;
}
