import { sealedBox } from '../../lib/sealed-box.js';
import type { DeriveKey, Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import { mailSendJob } from './mail-jobs.js';
import { mailService } from './mail-service.js';
import { mailStore } from './mail-store.js';
import { smtpTransport } from './mail-transport.js';

/** The mail outbox (sealed, pruned after its retention) and the job that sends it over SMTP. */
export function mailModule(
  { config, db, clock, logger, jobs }: Platform,
  { deriveKey, audit }: { deriveKey: DeriveKey; audit: AuditService },
) {
  const mail = mailService({
    db,
    store: mailStore(),
    box: sealedBox(deriveKey('custos.mail-outbox.v1')),
    jobs,
    transport: config.smtpUrl ? smtpTransport(config.smtpUrl) : undefined,
    audit,
    clock,
    settings: { from: config.mailFrom, retentionMs: config.mailRetention },
  });
  return {
    mail,
    background: {
      jobs: [mailSendJob(mail, logger)],
      prune: [{ name: 'mail_outbox', prune: mail.pruneExpired }],
    },
  };
}
