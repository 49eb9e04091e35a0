import { sealedBox } from '../../lib/sealed-box.js';
import type { DeriveKey, Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import { notificationService, notificationSettingsOf } from './notification-service.js';
import { deliverJob } from './webhook-jobs.js';
import { webhookStore } from './webhook-store.js';

/** Outgoing webhooks: endpoints with sealed signing secrets, deliveries with retries, the delivery job. */
export function notificationsModule(
  { config, db, clock, logger, version, jobs }: Platform,
  { deriveKey, audit }: { deriveKey: DeriveKey; audit: AuditService },
) {
  const notifications = notificationService({
    db,
    store: webhookStore(),
    // Webhook signing secrets are sealed under a key of their own.
    box: sealedBox(deriveKey('custos.webhook-secrets.v1')),
    audit,
    clock,
    logger,
    jobs,
    settings: notificationSettingsOf(config, version),
  });
  return {
    notifications,
    background: {
      jobs: [deliverJob(notifications, logger, config.webhookTimeout)],
      prune: [{ name: 'webhook_messages', prune: notifications.pruneMessages }],
    },
  };
}
