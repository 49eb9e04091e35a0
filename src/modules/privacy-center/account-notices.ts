import type { MailMessage } from '../mail/mail-service.js';

/**
 * The messages privacy center registration sends. Only the address owner reads them, so they may say what
 * the registration form never does: whether the address already has an account. They name the account by
 * its subject's pseudonymous id (outbox metadata), never by the person's data; the address only travels as
 * the recipient. Links carry no code and no address.
 */
export type NoticeSettings = { brandName: string; publicUrl: string };

const reference = (subjectId: string) => ({ type: 'subject', id: subjectId });

function privacyLink(settings: NoticeSettings, path: string): string {
  return `${settings.publicUrl.replace(/\/+$/, '')}/privacy${path}`;
}

/** When a registration is removed, as people read it: `2024-05-01 14:30 UTC`. */
function readableTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function verificationCodeNotice(
  settings: NoticeSettings,
  input: { subjectId: string; to: string; code: string; validUntil: Date; maxAttempts: number },
): MailMessage {
  return {
    kind: 'privacy.account.verification_code',
    to: input.to,
    subject: `Your ${settings.brandName} confirmation code: ${input.code}`,
    text: [
      `An account was created in the ${settings.brandName} privacy center with this e-mail address.`,
      '',
      `To confirm that the address is yours, enter this code: ${input.code}`,
      '',
      `Enter it on the page that asked for it, or at ${privacyLink(settings, '/verify')}.`,
      `The code works once, until ${readableTime(input.validUntil)}; after ${input.maxAttempts} wrong tries it stops working and you can ask for a new one.`,
      '',
      'If you did not create this account, ignore this message: without the code the account is never',
      `opened, and everything given when registering is deleted at ${readableTime(input.validUntil)}.`,
    ].join('\n'),
    reference: reference(input.subjectId),
  };
}

export function alreadyRegisteredNotice(
  settings: NoticeSettings,
  input: { subjectId: string; to: string; pendingUntil: Date | null },
): MailMessage {
  const next = input.pendingUntil
    ? [
        'You started creating an account with this address before, and have not confirmed the address yet.',
        `Enter the code from our earlier message at ${privacyLink(settings, '/verify')}, or sign in at`,
        `${privacyLink(settings, '/login')} with the password you chose then to get a new code.`,
        `Unconfirmed, that registration is deleted at ${readableTime(input.pendingUntil)}; you can register again after that.`,
      ]
    : [
        'You already have an account with this address, so no new one was made and nothing has changed.',
        `Sign in at ${privacyLink(settings, '/login')}.`,
      ];
  return {
    kind: 'privacy.account.already_registered',
    to: input.to,
    subject: `Your ${settings.brandName} privacy center account`,
    text: [
      `Someone (perhaps you) just tried to create an account in the ${settings.brandName} privacy center with this e-mail address.`,
      '',
      ...next,
      '',
      'If this was not you, you can ignore this message. We send it at most once an hour.',
    ].join('\n'),
    reference: reference(input.subjectId),
  };
}
