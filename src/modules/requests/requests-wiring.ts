import { sealedBox } from '../../lib/sealed-box.js';
import type { DeriveKey, Platform } from '../../wiring/platform.js';
import type { OperatorService } from '../access/operator-service.js';
import type { SecurityAlerts } from '../alerts/security-alerts.js';
import type { AuditService } from '../audit/audit-service.js';
import type { consentModule } from '../consent/consent-wiring.js';
import type { InventorySystems } from '../inventory/inventory-systems.js';
import type { MailService } from '../mail/mail-service.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { retentionModule } from '../retention/retention-wiring.js';
import type { vaultModule } from '../vault/vault-wiring.js';
import { erasure as erasureService } from './erasure.js';
import { fulfilmentSteps } from './fulfilment-steps.js';
import { fulfilmentStore } from './fulfilment-store.js';
import { lateRequests } from './late-requests.js';
import { objection as objectionService } from './objection.js';
import { consentProcessing } from './processing-source.js';
import { rectification as rectificationService } from './rectification.js';
import { requestErasureStore } from './request-erasure-store.js';
import { requestExports as requestExportService } from './request-exports.js';
import { deadlineReminderJob, systemTaskResendJob } from './request-jobs.js';
import { requestPersonalData } from './request-personal-data.js';
import { deadlineReminders } from './request-reminders.js';
import { requestService } from './request-service.js';
import { requestStore } from './request-store.js';
import { requestVerification as requestVerificationService } from './request-verification.js';
import { type RequestObserver, requestWorkflow } from './request-workflow.js';
import { restriction as restrictionService } from './restriction.js';
import { systemTasks as systemTaskService } from './system-tasks.js';

type Deps = {
  deriveKey: DeriveKey;
  audit: AuditService;
  raiseAlert: SecurityAlerts;
  mail: MailService;
  notifications: NotificationService;
  operators: OperatorService;
  vault: Pick<ReturnType<typeof vaultModule>, 'collections' | 'records' | 'subjectErasure'>;
  consent: Pick<
    ReturnType<typeof consentModule>,
    'purposes' | 'consent' | 'consentChecks' | 'consentChanges'
  >;
  retention: Pick<
    ReturnType<typeof retentionModule>,
    'retentionPolicies' | 'legalHolds' | 'erasureRetention'
  >;
  /** The inventory's systems: those with an endpoint are sent erasure, rectification and restriction tasks. */
  systems: InventorySystems;
  /** Told of every change of a request's status, in the change's transaction (the DRP adapter is one). */
  observers: readonly RequestObserver[];
};

/**
 * Data-subject requests: the workflow and its deadlines, verification, exports, and the fulfilment of
 * rectification, erasure, restriction and objection, fanned out to downstream systems.
 */
export function requestsModule(platform: Platform, deps: Deps) {
  const { config, db, clock, logger } = platform;
  const { deriveKey, audit, raiseAlert, mail, notifications, operators, vault, consent, retention } = deps;
  const requestRows = requestStore();
  const workflow = requestWorkflow({
    db,
    store: requestRows,
    audit,
    clock,
    box: sealedBox(deriveKey('custos.requests.v1')),
    events: notifications,
    observers: deps.observers,
  });
  const fulfilmentRows = fulfilmentStore();
  const requests = requestService({
    db,
    store: requestRows,
    clock,
    workflow,
    mail,
    subjects: vault.records,
    operators,
    openTasks: fulfilmentRows.countOpenTasks,
    // Filings that arrive while one batch is written go together into the next: PGlite has one
    // connection, PostgreSQL takes two batches at once.
    groupCommit: { writers: platform.database.kind === 'postgres' ? 2 : 1, maxBatch: 100 },
  });
  const requestVerification = requestVerificationService({
    db,
    store: requestRows,
    clock,
    workflow,
    mail,
    codeKey: deriveKey('custos.request-codes.v1'),
  });
  const reminders = deadlineReminders({
    db,
    store: requestRows,
    mail,
    audit,
    clock,
    operators,
    logger,
    settings: { withinDays: config.requestReminderDays, publicUrl: config.publicUrl },
    alerts: raiseAlert,
  });
  const requestExports = requestExportService({
    db,
    store: requestRows,
    clock,
    workflow,
    mail,
    box: sealedBox(deriveKey('custos.request-exports.v1')),
    records: vault.records,
    collections: vault.collections,
    processing: consentProcessing({ purposes: consent.purposes, consent: consent.consent }),
    recipients: {
      list: async () =>
        (await deps.systems.list())
          .filter((system) => system.fulfilment?.enabled ?? true)
          .map((system) => ({
            name: system.name,
            owner: system.owner,
            description: system.description,
            dataCategories: system.dataCategories,
          })),
    },
    retention: { list: () => retention.retentionPolicies.list() },
    settings: { ttlMs: config.requestExportTtl, publicUrl: config.publicUrl },
  });
  const systemTasks = systemTaskService({
    db,
    clock,
    store: fulfilmentRows,
    workflow,
    systems: deps.systems,
    direct: notifications.direct,
    box: sealedBox(deriveKey('custos.request-tasks.v1')),
    settings: { publicUrl: config.publicUrl, resendAfterMs: config.systemTaskResendAfter },
    alerts: raiseAlert,
    deliveryPending: async (deliveryId) =>
      (await notifications.deliveries.get(deliveryId).catch(() => undefined))?.delivery.status === 'pending',
  });
  // A task whose webhook is given up on fails in the same transaction that dead-letters the delivery.
  notifications.onDeadLettered(systemTasks.failUndeliverable);
  const fulfilment = fulfilmentSteps({ clock, workflow, tasks: systemTasks, mail });
  const rectification = rectificationService({
    db,
    workflow,
    steps: fulfilment,
    records: vault.records,
    collections: vault.collections,
  });
  const erasure = erasureService({
    db,
    workflow,
    steps: fulfilment,
    mail,
    retention: retention.erasureRetention,
    holds: retention.legalHolds,
    vault: { shredWithin: vault.records.shredWithin, minimiseWithin: vault.subjectErasure.minimiseWithin },
  });
  const restriction = restrictionService({
    db,
    workflow,
    steps: fulfilment,
    store: fulfilmentRows,
    mail,
    systems: deps.systems,
    direct: notifications.direct,
    vault: vault.subjectErasure,
    retention: retention.erasureRetention,
    // Other processes hear of the status change from the subjects trigger (migration 0007).
    forgetConsent: (ids) => consent.consentChanges.forgetHere({ kind: 'subjects', ids }),
  });
  const objection = objectionService({
    db,
    workflow,
    steps: fulfilment,
    purposes: consent.purposes,
    standing: (subjectId) => consent.consentChecks.standing(subjectId),
    consent: consent.consent,
  });
  return {
    requestRows,
    /** Which of these subjects have a request still open (for monitoring's fulfilment reads). */
    subjectsWithOpenRequests: requestRows.subjectsWithOpenRequests,
    workflow,
    requests,
    requestVerification,
    requestExports,
    reminders,
    systemTasks,
    /** The downstream systems late requests waited for (the compliance report's late-requests analysis). */
    lateRequests: lateRequests({ db, store: fulfilmentRows }),
    rectification,
    erasure,
    restriction,
    objection,
    /** Contacts, notes and mail of a subject's requests: erased with the subject. */
    personalData: requestPersonalData({ store: requestErasureStore(), mail, clock }),
    background: {
      jobs: [
        deadlineReminderJob(reminders, logger, config.requestReminderSchedule),
        systemTaskResendJob(systemTasks, logger),
      ],
      prune: [
        { name: 'request_verification_codes', prune: requestVerification.pruneCodes },
        { name: 'request_exports', prune: requestExports.pruneExpired },
      ],
    },
  };
}
