import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { lateJobSender } from './jobs/job-sender.js';
import { maintenanceJob } from './jobs/maintenance.js';
import { aead } from './lib/aead.js';
import type { Clock } from './lib/clock.js';
import { chromiumPdfRenderer } from './lib/documents/pdf.js';
import { sealedBox } from './lib/sealed-box.js';
import type { Logger } from './logger.js';
import { accessModule } from './modules/access/access-wiring.js';
import { accountabilityModule } from './modules/accountability/accountability-wiring.js';
import { alertsModule } from './modules/alerts/alerts-wiring.js';
import { assessmentsModule } from './modules/assessments/assessments-wiring.js';
import { auditModule } from './modules/audit/audit-wiring.js';
import { breachesModule } from './modules/breaches/breaches-wiring.js';
import { bannerService } from './modules/consent/banner-service.js';
import { consentModule } from './modules/consent/consent-wiring.js';
import { drpModule, drpStatusModule } from './modules/drp/drp-wiring.js';
import { inventoryModule } from './modules/inventory/inventory-wiring.js';
import { keysModule } from './modules/keys/keys-wiring.js';
import { mailModule } from './modules/mail/mail-wiring.js';
import { monitoringModule } from './modules/monitoring/monitoring-wiring.js';
import { notificationsModule } from './modules/notifications/notifications-wiring.js';
import { instanceService } from './modules/operations/instance-service.js';
import { instanceStore } from './modules/operations/instance-store.js';
import { privacyCenterModule } from './modules/privacy-center/privacy-center-wiring.js';
import { provide } from './modules/reports/metrics.js';
import { reportsModule } from './modules/reports/reports-wiring.js';
import { requestsModule } from './modules/requests/requests-wiring.js';
import { minimizationModule } from './modules/retention/minimization-wiring.js';
import { retentionModule } from './modules/retention/retention-wiring.js';
import { transfersModule } from './modules/transfers/transfers-wiring.js';
import { vaultModule } from './modules/vault/vault-wiring.js';
import type { Background, Platform } from './wiring/platform.js';

export type ServiceDeps = {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  version: string;
};

/**
 * The wiring root: each module's wiring function builds its stores and services from what it is handed,
 * and this function composes them in dependency order. Modules reach each other only through what is
 * passed in here. Both the HTTP app and the worker are built from the one object it returns.
 */
export function createServices({ config, database, clock, logger, version }: ServiceDeps) {
  // Services are built before the job queue; the runtime binds the queue to this sender once it exists.
  const jobSender = lateJobSender();
  const platform: Platform = { config, database, db: database.db, clock, logger, version, jobs: jobSender };
  // One printer per process, so its queue (one print at a time) holds for every document.
  const pdf = chromiumPdfRenderer({ chromiumPath: config.chromiumPath, timeoutMs: config.pdfTimeout });
  const instances = instanceService({ db: database.db, store: instanceStore(), clock, version });

  const audit = auditModule(platform);
  const { alerts, raiseAlert } = alertsModule(platform, audit);
  const access = accessModule(platform, { audit: audit.audit, raiseAlert });
  const keys = keysModule(platform, { audit: audit.audit });
  const { deriveKey } = keys;
  const vault = vaultModule(platform, { keys: keys.keys, deriveKey, audit: audit.audit });
  const notifications = notificationsModule(platform, { deriveKey, audit: audit.audit });
  const mail = mailModule(platform, { deriveKey, audit: audit.audit });
  const consent = consentModule(platform, {
    deriveKey,
    audit: audit.audit,
    notifications: notifications.notifications,
  });
  const retention = retentionModule(platform, {
    audit: audit.audit,
    aead,
    box: sealedBox(deriveKey('custos.retention.v1')),
    maskKey: vault.maskKey,
    collections: vault.collections,
    purposes: consent.purposes,
    vault: {
      ...vault.subjectErasure,
      getSubject: vault.records.getSubject,
      shredWithin: vault.records.shredWithin,
    },
    keys: keys.keys,
  });
  const inventory = inventoryModule(platform, {
    audit: audit.audit,
    endpoints: notifications.notifications.endpoints,
    collections: vault.collections,
    purposes: consent.purposes,
    retentionPolicies: retention.retentionPolicies,
    // The requests module is built below; a system is asked about only when someone deletes it.
    tasksSentTo: (tx, systemId) => requests.systemTasks.countSentTo(tx, systemId),
    pdf,
    // The transfers module reads this map, so the RoPA reaches its register through a late-bound call.
    transferSafeguards: () => transfers.transfers.safeguardLookup(),
  });
  const transfers = transfersModule(platform, {
    audit: audit.audit,
    raiseAlert,
    dataMap: () => inventory.inventory.dataMap(),
    subjectRegions: vault.subjectRegions,
  });
  // Residency policies may keep subjects of a region off this instance: checked before each subject write.
  vault.guardSubjectStorage((regions) => transfers.transfers.storageGuard(regions));
  const { minimization } = minimizationModule({
    database,
    clock,
    audit: audit.audit,
    collections: vault.collections,
    purposes: consent.purposes,
    retentionPolicies: retention.retentionPolicies,
    declaredCategories: inventory.declaredCategories,
  });
  // Requests filed through DRP tell their agent of each change of status, in the change's transaction.
  const drpStatus = drpStatusModule(platform);
  const requests = requestsModule(platform, {
    deriveKey,
    audit: audit.audit,
    raiseAlert,
    mail: mail.mail,
    notifications: notifications.notifications,
    operators: access.operators,
    vault,
    consent,
    retention,
    systems: inventory.inventorySystems,
    observers: [drpStatus.observer],
  });
  // An endpoint an operator disabled is no surprise; a delivery that failed every attempt is.
  notifications.notifications.onDeadLettered(async (tx, delivery) => {
    if (delivery.reason === 'attempts_exhausted') await raiseAlert.webhookDeadLettered(tx, delivery);
    if (delivery.reason === 'residency_refused') await raiseAlert.transferRefused(tx, delivery);
  });
  // Data residency is checked before each webhook delivery (personal data or identifiers leave Custos).
  notifications.notifications.guardDeliveries((delivery) => transfers.transfers.deliveryGuard(delivery));
  const privacyCenter = privacyCenterModule(platform, {
    deriveKey,
    audit: audit.audit,
    mail: mail.mail,
    access,
    vault,
    consent,
    requests,
  });
  const breaches = breachesModule(platform, {
    audit: audit.audit,
    exposures: audit.exposures,
    networkRefs: audit.networkRefs,
    alerts,
    raiseAlert,
    vault,
    mail: mail.mail,
    dataMap: () => inventory.inventory.dataMap(),
    pdf,
  });
  const assessments = assessmentsModule(platform, {
    audit: audit.audit,
    dataMap: () => inventory.inventory.dataMap(),
    subjectCount: (names, atMost) => vault.collections.subjectCount(names, atMost),
    mail: mail.mail,
    pdf,
  });
  const accountability = accountabilityModule(platform, {
    audit: audit.audit,
    operators: access.operators,
    apiKeys: access.apiKeys,
    mail: mail.mail,
  });
  vault.personalData.register(
    privacyCenter.personalData,
    breaches.personalData,
    ...requests.personalData,
    retention.legalHolds.personalData,
  );
  const monitoring = monitoringModule(platform, {
    audit: audit.audit,
    activity: audit.activity,
    alerts,
    operatorRoles: async (id) => (await access.operators.get(id)).roles,
    endSessions: (id) =>
      access.operators.revokeSessions(
        { actor: { type: 'system', id: 'monitoring' }, requestId: null, ip: null },
        id,
      ),
    subjectsWithOpenRequests: requests.subjectsWithOpenRequests,
    publish: (tx, events) => notifications.notifications.publish(tx, events),
  });
  const reports = reportsModule(platform, {
    audit: audit.audit,
    mail: mail.mail,
    pdf,
    dataMap: () => inventory.inventory.dataMap(),
    retentionRate: async () => (await retention.retentionPreview.compliance()).rate,
    retentionRuns: (limit) => retention.retentionRuns.list(limit),
    lateRequests: (period) => requests.lateRequests.bySystem(period),
    accountability,
    assessments: async () => {
      const summary = await assessments.assessments.summary();
      return { due: summary.due, done: summary.done, overdue: summary.reviewOverdue };
    },
    // One line per module that provides dashboard metrics.
    metrics: [
      ...accountability.metrics,
      provide(
        'cross_border_transfer_approvals',
        async () => (await transfers.crossBorderTransferApprovals()).approved,
      ),
    ],
  });
  const drp = drpModule(platform, { deriveKey, audit: audit.audit, vault, requests, status: drpStatus });

  const background: Background[] = [
    { jobs: [], prune: [{ name: 'instances', prune: instances.pruneStale }] },
    access.background,
    audit.background,
    keys.background,
    consent.background,
    notifications.background,
    mail.background,
    requests.background,
    retention.background,
    drp.background,
    privacyCenter.background,
    breaches.background,
    assessments.background,
    monitoring.background,
    accountability.background,
    reports.background,
  ];
  const pruneTasks = background.flatMap((module) => module.prune);
  const jobDefinitions = [maintenanceJob(pruneTasks, logger), ...background.flatMap((module) => module.jobs)];

  return {
    instances,
    audit: audit.audit,
    auditPrune: audit.auditPrune,
    alerts,
    auth: access.auth,
    mfa: access.mfa,
    operators: access.operators,
    apiKeys: access.apiKeys,
    passwordHasher: access.passwordHasher,
    keys: keys.keys,
    collections: vault.collections,
    records: vault.records,
    tokens: vault.tokens,
    imports: vault.imports,
    personalData: vault.personalData,
    purposes: consent.purposes,
    consent: consent.consent,
    consentChecks: consent.consentChecks,
    tcf: consent.tcf,
    consentBanner: bannerService({ ...consent, checks: consent.consentChecks, records: vault.records }),
    notifications: notifications.notifications,
    mail: mail.mail,
    requests: requests.requests,
    requestVerification: requests.requestVerification,
    requestExports: requests.requestExports,
    reminders: requests.reminders,
    inventory: inventory.inventory,
    ropa: inventory.ropa,
    systemTasks: requests.systemTasks,
    rectification: requests.rectification,
    erasure: requests.erasure,
    restriction: requests.restriction,
    objection: requests.objection,
    retentionPolicies: retention.retentionPolicies,
    legalHolds: retention.legalHolds,
    erasureRetention: retention.erasureRetention,
    retentionRuns: retention.retentionRuns,
    retentionPreview: retention.retentionPreview,
    subjectLifecycle: retention.subjectLifecycle,
    coveredCollections: retention.coveredCollections,
    loadRetentionSchedule: retention.loadRetentionSchedule,
    registerRetentionMetrics: retention.registerRetentionMetrics,
    minimization,
    drpAgents: drp.drpAgents,
    drp: drp.drp,
    drpOperations: drp.drpOperations,
    drpVerification: drp.drpVerification,
    drpSigningKey: drp.drpSigningKey,
    subjectAccounts: privacyCenter.subjectAccounts,
    accountVerification: privacyCenter.accountVerification,
    registration: privacyCenter.registration,
    selfService: privacyCenter.selfService,
    reports: reports.reports,
    complianceDashboard: reports.complianceDashboard,
    complianceReports: reports.complianceReports,
    registerReportMetrics: reports.registerReportMetrics,
    breaches: breaches.breaches,
    breachNotices: breaches.breachNotices,
    blastRadius: breaches.blastRadius,
    checkBreachClocks: breaches.checkClocks,
    transferRecords: transfers.transferRecords,
    transfers: transfers.transfers,
    crossBorderTransferApprovals: transfers.crossBorderTransferApprovals,
    /** Start-up: warns, alerts (or refuses) when subjects are stored where their residency policy does not allow. */
    checkSubjectStorage: transfers.checkSubjectStorage,
    screenings: assessments.screenings,
    assessments: assessments.assessments,
    assessmentExports: assessments.assessmentExports,
    runAssessmentReviews: assessments.runReviews,
    monitoring: monitoring.monitoring,
    monitoringReader: monitoring.monitoringReader,
    policies: accountability.policies,
    training: accountability.training,
    externalAudits: accountability.externalAudits,
    accessReviews: accountability.accessReviews,
    registerImports: accountability.registerImports,
    jobSender,
    pruneTasks,
    jobDefinitions,
  };
}

export type Services = ReturnType<typeof createServices>;
