import { hkdfSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Config, keysDirOf } from './config.js';
import type { Database } from './db/database.js';
import { lateJobSender } from './jobs/job-sender.js';
import { maintenanceJob, type PruneTask } from './jobs/maintenance.js';
import type { JobDefinition } from './jobs/queue.js';
import { aead } from './lib/aead.js';
import type { Clock } from './lib/clock.js';
import { loadOrCreateKeyFile } from './lib/key-file.js';
import { sealedBox } from './lib/sealed-box.js';
import type { Logger } from './logger.js';
import { apiKeyService } from './modules/access/api-key-service.js';
import { apiKeyStore } from './modules/access/api-key-store.js';
import { authService } from './modules/access/auth-service.js';
import { loginThrottle } from './modules/access/login-throttle.js';
import { mfaService } from './modules/access/mfa-service.js';
import { operatorService } from './modules/access/operator-service.js';
import { operatorStore } from './modules/access/operator-store.js';
import { hashPassword } from './modules/access/passwords.js';
import { sessionStore } from './modules/access/session-store.js';
import { alertService } from './modules/alerts/alert-service.js';
import { alertStore } from './modules/alerts/alert-store.js';
import { revealWindow } from './modules/alerts/reveal-window.js';
import { securityAlerts } from './modules/alerts/security-alerts.js';
import { auditCheckpointJob, auditVerifyJob } from './modules/audit/audit-jobs.js';
import { auditKeyFilesOf, lazyAuditKeys } from './modules/audit/audit-keys.js';
import { auditService } from './modules/audit/audit-service.js';
import { auditStore } from './modules/audit/audit-store.js';
import { pseudonymizeIp } from './modules/audit/client-ip.js';
import { checkService } from './modules/consent/check-service.js';
import { consentChangeFeed } from './modules/consent/consent-changes.js';
import { consentExpiryJob } from './modules/consent/consent-jobs.js';
import { consentService } from './modules/consent/consent-service.js';
import { consentStates } from './modules/consent/consent-states.js';
import { consentStore } from './modules/consent/consent-store.js';
import { purposeService } from './modules/consent/purpose-service.js';
import { purposeStore } from './modules/consent/purpose-store.js';
import { tcfService } from './modules/consent/tcf-service.js';
import { keyMaterialFrom } from './modules/keys/key-material.js';
import { rewrapJob } from './modules/keys/keys-jobs.js';
import { keysService } from './modules/keys/keys-service.js';
import { keysStore } from './modules/keys/keys-store.js';
import { mailSendJob } from './modules/mail/mail-jobs.js';
import { mailService } from './modules/mail/mail-service.js';
import { mailStore } from './modules/mail/mail-store.js';
import { smtpTransport } from './modules/mail/mail-transport.js';
import { notificationService, notificationSettingsOf } from './modules/notifications/notification-service.js';
import { deliverJob } from './modules/notifications/webhook-jobs.js';
import { webhookSender } from './modules/notifications/webhook-sender.js';
import { webhookStore } from './modules/notifications/webhook-store.js';
import { instanceService } from './modules/operations/instance-service.js';
import { instanceStore } from './modules/operations/instance-store.js';
import { accountVerification as accountVerificationService } from './modules/privacy-center/account-verification.js';
import { pendingRegistrationStore } from './modules/privacy-center/pending-registrations.js';
import { registrationExpiryJob, registrationWorkJob } from './modules/privacy-center/privacy-jobs.js';
import { registrationService } from './modules/privacy-center/registration.js';
import { selfService } from './modules/privacy-center/self-service.js';
import { subjectAccountStore, subjectSessionStore } from './modules/privacy-center/subject-account-store.js';
import { subjectAccountService } from './modules/privacy-center/subject-accounts.js';
import { reportsService } from './modules/reports/reports-service.js';
import { reportsStore } from './modules/reports/reports-store.js';
import { downstreamSystems as downstreamSystemService } from './modules/requests/downstream-systems.js';
import { drpAgents as drpAgentService } from './modules/requests/drp-agents.js';
import { drpCallbackJob, drpCallbackWorker, drpStatusFeed } from './modules/requests/drp-callbacks.js';
import { drpOperations as drpOperationsService } from './modules/requests/drp-operations.js';
import { drpService } from './modules/requests/drp-service.js';
import { lazyDrpSigningKey } from './modules/requests/drp-signature.js';
import { drpStatusReader } from './modules/requests/drp-status.js';
import { drpStore } from './modules/requests/drp-store.js';
import { drpVerification as drpVerificationService } from './modules/requests/drp-verification.js';
import { erasure as erasureService } from './modules/requests/erasure.js';
import { fulfilmentSteps } from './modules/requests/fulfilment-steps.js';
import { fulfilmentStore } from './modules/requests/fulfilment-store.js';
import { objection as objectionService } from './modules/requests/objection.js';
import { consentProcessing } from './modules/requests/processing-source.js';
import { rectification as rectificationService } from './modules/requests/rectification.js';
import { requestErasureStore } from './modules/requests/request-erasure-store.js';
import { requestExports as requestExportService } from './modules/requests/request-exports.js';
import { deadlineReminderJob, systemTaskResendJob } from './modules/requests/request-jobs.js';
import { requestPersonalData } from './modules/requests/request-personal-data.js';
import { deadlineReminders } from './modules/requests/request-reminders.js';
import { requestService } from './modules/requests/request-service.js';
import { requestStore } from './modules/requests/request-store.js';
import { requestVerification as requestVerificationService } from './modules/requests/request-verification.js';
import { requestWorkflow } from './modules/requests/request-workflow.js';
import { restriction as restrictionService } from './modules/requests/restriction.js';
import { systemTasks as systemTaskService } from './modules/requests/system-tasks.js';
import { retentionModule } from './modules/retention/retention-wiring.js';
import { collectionService } from './modules/vault/collection-service.js';
import { erasureStore } from './modules/vault/erasure-store.js';
import { importService } from './modules/vault/import-service.js';
import { personalDataPlaces } from './modules/vault/personal-data.js';
import { recordService } from './modules/vault/record-service.js';
import { subjectErasure as subjectErasureService } from './modules/vault/subject-erasure.js';
import { tokenService } from './modules/vault/token-service.js';
import { collectionStore, importStore, subjectStore } from './modules/vault/vault-store.js';

export type ServiceDeps = {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  version: string;
};

/** The 256-bit key that seals TOTP seeds, from the keys directory (created on first start, mode 0600). */
function mfaKey(config: Config): Buffer {
  const file = loadOrCreateKeyFile(join(keysDirOf(config), 'mfa-seal.key'), () =>
    randomBytes(32).toString('base64'),
  );
  return Buffer.from(file.toString('utf8').trim(), 'base64');
}

/**
 * The wiring root for data access and services: stores are created here and handed to the services that
 * own them; services reach each other only through what is passed in. Both the HTTP app and the worker
 * are built from this one object.
 */
export function createServices({ config, database, clock, logger, version }: ServiceDeps) {
  const db = database.db;
  const instances = instanceService({ db, store: instanceStore(), clock, version });
  const auditKeys = lazyAuditKeys(auditKeyFilesOf(config));
  const audit = auditService({
    db,
    store: auditStore(),
    keys: auditKeys,
    clock,
    settings: {
      checkpointEvery: config.auditCheckpointEvery,
      checkpointIntervalMs: config.auditCheckpointInterval,
    },
    logger,
  });
  // Alerts: raised by the modules below in their own transactions, about pseudonymous targets only.
  const alerts = alertService({
    db,
    store: alertStore(),
    audit,
    clock,
    settings: { dedupeWindowMs: config.alertDedupeWindow },
  });
  const raiseAlert = securityAlerts({
    db,
    alerts,
    clock,
    // The same keyed hash of the client's network as in audit entries, so the two can be matched.
    clientRef: (ip) => pseudonymizeIp(ip, auditKeys().ipKey),
    reveals:
      config.revealAlertThreshold > 0
        ? revealWindow({ threshold: config.revealAlertThreshold, windowMs: config.revealAlertWindow })
        : undefined,
  });
  audit.onVerificationFailed(raiseAlert.auditVerificationFailed);

  const operatorRows = operatorStore();
  const sessionRows = sessionStore();
  const throttle = loginThrottle(sessionRows);
  const argon2 = {
    memoryKib: config.argon2MemoryKib,
    timeCost: config.argon2TimeCost,
    parallelism: config.argon2Parallelism,
  };
  // Hashing through one object, so a test can see which requests hash a password.
  const passwordHasher = { hash: (password: string) => hashPassword(password, argon2) };
  const auth = authService({
    db,
    operators: operatorRows,
    sessions: sessionRows,
    throttle,
    audit,
    clock,
    settings: {
      argon2,
      idleTimeoutMs: config.sessionIdleTimeout,
      absoluteTimeoutMs: config.sessionAbsoluteTimeout,
      mfaRequiredRoles: config.mfaRequiredRoles,
      loginMaxFailures: config.loginMaxFailures,
      loginMaxFailuresPerIp: config.loginMaxFailuresPerIp,
      brandName: config.brandName,
    },
    alerts: raiseAlert,
  });
  const mfa = mfaService({
    db,
    operators: operatorRows,
    auth,
    throttle,
    audit,
    clock,
    box: sealedBox(mfaKey(config)),
    issuer: 'Custos',
    maxFailures: config.loginMaxFailures,
  });
  const operators = operatorService({
    db,
    operators: operatorRows,
    sessions: sessionRows,
    mfa,
    audit,
    clock,
    settings: {
      argon2,
      setupTokenTtlMs: config.setupTokenTtl,
      invitationTtlMs: config.invitationTtl,
      brandName: config.brandName,
      publicUrl: config.publicUrl,
    },
  });
  const apiKeys = apiKeyService({ db, store: apiKeyStore(), audit, clock, listen: database.listen });
  // Key files (master key v1, blind-index root) are created here on first start, unless CUSTOS_MASTER_KEY is set.
  const keyMaterial = keyMaterialFrom({ ...config, keysDir: keysDirOf(config) });
  const keys = keysService({
    db,
    store: keysStore(),
    ...keyMaterial,
    audit,
    clock,
    settings: {
      dekCacheSize: config.dekCacheSize,
      dekCacheTtlMs: config.dekCacheTtl,
      rewrapBatchSize: config.rewrapBatchSize,
    },
  });

  const collectionRows = collectionStore();
  const subjectRows = subjectStore();
  const collections = collectionService({ db, store: collectionRows, audit, clock });
  const vaultSettings = {
    purposes: config.readPurposes,
    phoneRegion: config.phoneRegion,
    // Keyed-hash masking gets its own key, derived so that it matches neither tokens nor blind indexes.
    maskKey: Buffer.from(hkdfSync('sha256', keys.tokenKey(), Buffer.alloc(0), 'custos.masking.v1', 32)),
  };
  // Every place outside the vault's tables where a subject's personal data lives registers here, with what
  // erasure does to it; every erasure (shredding, erasure under retention) runs them all in its transaction.
  const personalData = personalDataPlaces();
  const records = recordService({
    db,
    subjects: subjectRows,
    collectionRows,
    collections,
    keys,
    aead,
    audit,
    clock,
    settings: vaultSettings,
    personalData,
    onRevealed: raiseAlert.revealed,
  });
  const imports = importService({
    db,
    store: importStore(),
    collections,
    keys,
    audit,
    clock,
    settings: vaultSettings,
    databaseKind: database.kind,
  });
  const tokens = tokenService({
    db,
    subjects: subjectRows,
    collections,
    keys,
    aead,
    audit,
    settings: vaultSettings,
  });

  // Services are built before the job queue; the runtime binds the queue to this sender once it exists.
  const jobSender = lateJobSender();
  const notifications = notificationService({
    db,
    store: webhookStore(),
    // Webhook signing secrets are sealed under a key of their own, derived from the index root like masking's.
    box: sealedBox(
      Buffer.from(hkdfSync('sha256', keys.tokenKey(), Buffer.alloc(0), 'custos.webhook-secrets.v1', 32)),
    ),
    audit,
    clock,
    logger,
    jobs: jobSender,
    settings: notificationSettingsOf(config, version),
  });

  // Keys of the mail outbox and of requests (contacts, notes, code digests), each derived for its use alone.
  const derivedKey = (info: string) =>
    Buffer.from(hkdfSync('sha256', keys.tokenKey(), Buffer.alloc(0), info, 32));
  const mail = mailService({
    db,
    store: mailStore(),
    box: sealedBox(derivedKey('custos.mail-outbox.v1')),
    jobs: jobSender,
    transport: config.smtpUrl ? smtpTransport(config.smtpUrl) : undefined,
    audit,
    clock,
    settings: { from: config.mailFrom, retentionMs: config.mailRetention },
  });
  const requestRows = requestStore();
  const drpRows = drpStore();
  // What agents are told of DRP requests: the status, its verification page and results links.
  const drpStatus = drpStatusReader({
    requests: requestRows,
    settings: { statusRetentionMs: config.drpStatusRetention, publicUrl: config.publicUrl },
  });
  const workflow = requestWorkflow({
    db,
    store: requestRows,
    audit,
    clock,
    box: sealedBox(derivedKey('custos.requests.v1')),
    events: notifications,
    // Requests filed through DRP tell their agent of each change of status, in the change's transaction.
    observers: [drpStatusFeed({ store: drpRows, requests: requestRows, jobs: jobSender, status: drpStatus })],
  });
  const fulfilmentRows = fulfilmentStore();
  const requests = requestService({
    db,
    store: requestRows,
    clock,
    workflow,
    mail,
    subjects: records,
    operators,
    openTasks: fulfilmentRows.countOpenTasks,
  });
  const requestVerification = requestVerificationService({
    db,
    store: requestRows,
    clock,
    workflow,
    mail,
    codeKey: derivedKey('custos.request-codes.v1'),
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

  // Consent: every process caches consent state and hears of changes from all others (LISTEN/NOTIFY).
  const consentChanges = consentChangeFeed({
    listen: database.listen,
    notify: async (channel, payload) => {
      await database.executeSql('select pg_notify($1, $2)', [channel, payload]);
    },
    logger,
  });
  const consentRows = consentStore();
  const purposes = purposeService({
    db,
    store: purposeStore(),
    audit,
    changes: consentChanges,
    clock,
    settings: { cacheTtlMs: config.consentCacheTtl },
  });
  const standingConsent = consentStates({
    db,
    store: consentRows,
    changes: consentChanges,
    clock,
    settings: { maxEntries: config.consentCacheSize, ttlMs: config.consentCacheTtl },
  });
  const consent = consentService({
    db,
    store: consentRows,
    purposes,
    states: standingConsent,
    audit,
    events: notifications,
    clock,
    settings: {
      // Proof hashes (subject IP, user agent) get a key of their own, derived for this use alone.
      proofKey: derivedKey('custos.consent-proof.v1'),
      // One transaction records consent at a time, and everything waiting meanwhile goes into the next:
      // measured on PostgreSQL, more writers only made each batch smaller and the total slower.
      writers: 1,
    },
  });
  const consentChecks = checkService({
    db,
    store: consentRows,
    purposes,
    states: standingConsent,
    audit,
    clock,
    // Filter batches queried at once: PGlite has one connection, PostgreSQL a pool.
    settings: { filterConcurrency: database.kind === 'postgres' ? 3 : 1 },
  });
  const tcf = tcfService({ db, store: consentRows, states: standingConsent, audit, clock });

  const requestExports = requestExportService({
    db,
    store: requestRows,
    clock,
    workflow,
    mail,
    box: sealedBox(derivedKey('custos.request-exports.v1')),
    records,
    collections,
    processing: consentProcessing({ purposes, consent }),
    // Built below; read only when a package is made.
    recipients: {
      list: async () =>
        (await downstreamSystems.list())
          .filter((system) => system.enabled)
          .map((system) => ({
            name: system.name,
            owner: system.owner,
            description: system.description,
            dataCategories: system.data_categories,
          })),
    },
    retention: { list: () => retentionPolicies.list() },
    settings: { ttlMs: config.requestExportTtl, publicUrl: config.publicUrl },
  });

  // Fulfilment of rectification, erasure, restriction and objection; retention; downstream systems.
  const subjectErasure = subjectErasureService({
    subjects: subjectRows,
    store: erasureStore(),
    collectionRows,
    keys,
    aead,
    clock,
    personalData,
    settings: { maskKey: vaultSettings.maskKey },
  });
  const retention = retentionModule({
    db,
    config,
    clock,
    logger,
    audit,
    aead,
    box: sealedBox(derivedKey('custos.retention.v1')),
    maskKey: vaultSettings.maskKey,
    collections,
    purposes,
    vault: { ...subjectErasure, getSubject: records.getSubject, shredWithin: records.shredWithin },
    keys,
  });
  const { retentionPolicies, legalHolds, erasureRetention } = retention;
  const downstreamSystems = downstreamSystemService({
    db,
    store: fulfilmentRows,
    audit,
    clock,
    endpoints: notifications.endpoints,
  });
  const systemTasks = systemTaskService({
    db,
    clock,
    store: fulfilmentRows,
    workflow,
    systems: downstreamSystems,
    direct: notifications.direct,
    box: sealedBox(derivedKey('custos.request-tasks.v1')),
    settings: { publicUrl: config.publicUrl, resendAfterMs: config.systemTaskResendAfter },
    alerts: raiseAlert,
    deliveryPending: async (deliveryId) =>
      (await notifications.deliveries.get(deliveryId).catch(() => undefined))?.delivery.status === 'pending',
  });
  // A task whose webhook is given up on fails in the same transaction that dead-letters the delivery.
  notifications.onDeadLettered(systemTasks.failUndeliverable);
  // An endpoint an operator disabled is no surprise; a delivery that failed every attempt is.
  notifications.onDeadLettered(async (tx, delivery) => {
    if (delivery.reason === 'attempts_exhausted') await raiseAlert.webhookDeadLettered(tx, delivery);
  });
  const fulfilment = fulfilmentSteps({ clock, workflow, tasks: systemTasks, mail });
  const rectification = rectificationService({ db, workflow, steps: fulfilment, records, collections });
  const erasure = erasureService({
    db,
    workflow,
    steps: fulfilment,
    mail,
    retention: erasureRetention,
    holds: legalHolds,
    vault: { shredWithin: records.shredWithin, minimiseWithin: subjectErasure.minimiseWithin },
  });
  const restriction = restrictionService({
    db,
    workflow,
    steps: fulfilment,
    store: fulfilmentRows,
    mail,
    systems: downstreamSystems,
    direct: notifications.direct,
    vault: subjectErasure,
    retention: erasureRetention,
    // Other processes hear of the status change from the subjects trigger (migration 0007).
    forgetConsent: (ids) => consentChanges.forgetHere({ kind: 'subjects', ids }),
  });
  const objection = objectionService({
    db,
    workflow,
    steps: fulfilment,
    purposes,
    standing: (subjectId) => consentChecks.standing(subjectId),
    consent,
  });

  // The privacy center: data subjects' accounts (erased with their subject), registration, self-service.
  const subjectAccountRows = subjectAccountStore();
  const subjectAccounts = subjectAccountService({
    db,
    store: subjectAccountRows,
    sessions: subjectSessionStore(),
    throttle,
    audit,
    clock,
    subjects: records,
    settings: {
      argon2,
      emailKey: derivedKey('custos.subject-account-emails.v1'),
      idleTimeoutMs: config.privacySessionIdleTimeout,
      absoluteTimeoutMs: config.privacySessionAbsoluteTimeout,
      loginMaxFailures: config.loginMaxFailures,
      loginMaxFailuresPerIp: config.loginMaxFailuresPerIp,
    },
  });
  personalData.register(
    {
      name: 'privacy_center_accounts',
      onErasure:
        'the account (e-mail hash, password hash, held consent choices), its codes and sessions deleted',
      erase: subjectAccounts.forgetSubject,
    },
    ...requestPersonalData({ store: requestErasureStore(), mail, clock }),
    legalHolds.personalData,
  );
  // E-mail verification of new accounts: codes under a key of their own, notices branded, links public.
  const accountVerification = accountVerificationService({
    db,
    store: subjectAccountRows,
    accounts: subjectAccounts,
    mail,
    consent,
    vault: records,
    audit,
    clock,
    settings: {
      codeKey: derivedKey('custos.subject-account-codes.v1'),
      brandName: config.brandName,
      publicUrl: config.publicUrl,
    },
  });
  // Registrations wait, sealed under a key of their own, for the job that works them.
  const registration = registrationService({
    db,
    accounts: subjectAccounts,
    verification: accountVerification,
    pending: pendingRegistrationStore(sealedBox(derivedKey('custos.pending-registrations.v1'))),
    jobs: jobSender,
    passwords: passwordHasher,
    clock,
    records,
    collections,
    purposes,
    consent,
    audit,
    settings: { brandName: config.brandName },
  });
  const privacySelfService = selfService({
    records,
    collections,
    purposes,
    checks: consentChecks,
    consent,
    requests,
    requestExports,
  });
  const reports = reportsService({
    db,
    store: reportsStore(),
    clock,
    settings: { dueSoonDays: config.requestReminderDays },
  });

  // The Data Rights Protocol: trusted agents, their signed requests, and signed status callbacks.
  const drpAgents = drpAgentService({ db, store: drpRows, audit, clock, businessId: config.drpBusinessId });
  const outgoing = notificationSettingsOf(config, version);
  const drpSigningKey = lazyDrpSigningKey(join(keysDirOf(config), 'drp-signing-key.pem'));
  const drpClaimsBox = sealedBox(derivedKey('custos.drp-claims.v1'));
  const drp = drpService({
    db,
    store: drpRows,
    requestRows,
    agents: drpAgents,
    requests,
    workflow,
    subjects: records,
    box: drpClaimsBox,
    audit,
    clock,
    destination: outgoing.destination,
    status: drpStatus,
    optOut: objection,
    exports: requestExports,
  });
  const drpOperations = drpOperationsService({
    db,
    store: drpRows,
    requestRows,
    box: drpClaimsBox,
    jobs: jobSender,
    audit,
    clock,
    status: drpStatus,
  });
  const drpVerification = drpVerificationService({
    db,
    store: drpRows,
    requestRows,
    workflow,
    verification: requestVerification,
    requests,
    optIn: objection,
    clock,
  });
  const drpCallbacks = drpCallbackWorker({
    db,
    store: drpRows,
    send: webhookSender({
      ...outgoing.destination,
      timeoutMs: outgoing.timeoutMs,
      userAgent: `Custos-DRP/${version}`,
    }),
    jobs: jobSender,
    clock,
    logger,
    retry: outgoing.retry,
    signingKey: drpSigningKey,
    businessId: config.drpBusinessId,
  });

  const pruneTasks: PruneTask[] = [
    { name: 'instances', prune: instances.pruneStale },
    { name: 'sessions', prune: auth.pruneExpired },
    { name: 'setup_tokens', prune: operators.pruneExpiredTokens },
    { name: 'webhook_messages', prune: notifications.pruneMessages },
    { name: 'mail_outbox', prune: mail.pruneExpired },
    { name: 'request_verification_codes', prune: requestVerification.pruneCodes },
    { name: 'request_exports', prune: requestExports.pruneExpired },
    { name: 'subject_sessions', prune: subjectAccounts.pruneSessions },
    { name: 'pending_registrations', prune: registration.pruneStale },
  ];
  const jobDefinitions: JobDefinition[] = [
    maintenanceJob(pruneTasks, logger),
    auditCheckpointJob(audit, logger, config.auditWitnessDir),
    auditVerifyJob(audit, logger, config.auditVerifySchedule ?? undefined),
    rewrapJob(keys, logger),
    consentExpiryJob(consent, logger),
    deliverJob(notifications, logger, config.webhookTimeout),
    mailSendJob(mail, logger),
    deadlineReminderJob(reminders, logger, config.requestReminderSchedule),
    systemTaskResendJob(systemTasks, logger),
    ...retention.retentionJobs,
    drpCallbackJob(drpCallbacks, logger, config.webhookTimeout),
    registrationExpiryJob(accountVerification, logger),
    registrationWorkJob(registration, logger),
  ];

  return {
    instances,
    audit,
    alerts,
    auth,
    mfa,
    operators,
    apiKeys,
    keys,
    collections,
    records,
    tokens,
    imports,
    purposes,
    consent,
    consentChecks,
    tcf,
    notifications,
    mail,
    requests,
    requestVerification,
    requestExports,
    reminders,
    ...retention,
    downstreamSystems,
    systemTasks,
    rectification,
    erasure,
    restriction,
    objection,
    drpAgents,
    drp,
    drpOperations,
    drpVerification,
    drpSigningKey,
    subjectAccounts,
    accountVerification,
    registration,
    passwordHasher,
    selfService: privacySelfService,
    reports,
    personalData,
    jobSender,
    pruneTasks,
    jobDefinitions,
  };
}

export type Services = ReturnType<typeof createServices>;
