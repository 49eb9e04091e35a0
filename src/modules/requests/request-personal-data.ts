import type { Clock } from '../../lib/clock.js';
import type { MailService } from '../mail/mail-service.js';
import type { PersonalDataPlace } from '../vault/personal-data.js';
import { erasureDoneKind } from './fulfilment-notices.js';
import type { RequestErasureStore } from './request-erasure-store.js';

type Deps = {
  store: RequestErasureStore;
  mail: Pick<MailService, 'eraseContentAbout'>;
  clock: Clock;
};

/**
 * Where the requests module keeps a subject's personal data outside the vault, and what erasure does to
 * each: registered with the personal-data registry, run in every erasure's transaction. The requests
 * themselves stay (what was asked, when, and how it was answered is the controller's proof, GDPR Art.
 * 5(2)); what identifies or describes the person goes.
 */
export function requestPersonalData({ store, mail, clock }: Deps): PersonalDataPlace[] {
  return [
    {
      name: 'request_contacts',
      onErasure: 'contact addresses and requested corrections of every request of the subject removed',
      erase: store.clearContacts,
    },
    {
      name: 'request_notes',
      onErasure: 'operator notes on the timelines of the subject’s requests removed (the events stay)',
      erase: store.clearNotes,
    },
    {
      name: 'request_exports',
      onErasure: 'access packages and portability archives deleted; their links answer 410',
      erase: (tx, subjectId) => store.eraseExports(tx, subjectId, clock.now()),
    },
    {
      name: 'request_verification_codes',
      onErasure: 'verification codes (digests) of the subject’s requests deleted',
      erase: store.deleteVerificationCodes,
    },
    {
      name: 'request_task_answers',
      onErasure: 'what downstream systems answered about the subject’s requests removed',
      erase: store.clearTaskAnswers,
    },
    {
      name: 'drp_identity_claims',
      onErasure: 'identity claims authorized agents sent for the subject removed',
      erase: store.clearDrpClaims,
    },
    {
      name: 'mail_outbox',
      onErasure:
        'content of undelivered mail about the subject or their requests removed (status `erased`), except the answer to an erasure request',
      erase: async (tx, subjectId) =>
        mail.eraseContentAbout(
          tx,
          [
            { type: 'subject', id: subjectId },
            ...(await store.requestIdsOf(tx, subjectId)).map((id) => ({ type: 'request', id })),
          ],
          [erasureDoneKind],
        ),
    },
  ];
}
