import { join } from 'node:path';
import { keysDirOf } from '../../config.js';
import { sealedBox } from '../../lib/sealed-box.js';
import type { DeriveKey, Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import { notificationSettingsOf } from '../notifications/notification-service.js';
import { webhookSender } from '../notifications/webhook-sender.js';
import { requestStore } from '../requests/request-store.js';
import type { requestsModule } from '../requests/requests-wiring.js';
import type { vaultModule } from '../vault/vault-wiring.js';
import { drpAgents as drpAgentService } from './drp-agents.js';
import { drpCallbackJob, drpCallbackWorker, drpStatusFeed } from './drp-callbacks.js';
import { drpOperations as drpOperationsService } from './drp-operations.js';
import { drpService } from './drp-service.js';
import { lazyDrpSigningKey } from './drp-signature.js';
import { drpStatusReader } from './drp-status.js';
import { drpStore } from './drp-store.js';
import { drpVerification as drpVerificationService } from './drp-verification.js';

/**
 * What the DRP adapter needs before the requests module exists: the status agents are told of, and the
 * observer that queues a signed callback whenever a DRP request's status changes.
 */
export function drpStatusModule({ config, jobs }: Platform) {
  const store = drpStore();
  const requestRows = requestStore();
  const status = drpStatusReader({
    requests: requestRows,
    settings: { statusRetentionMs: config.drpStatusRetention, publicUrl: config.publicUrl },
  });
  const observer = drpStatusFeed({ store, requests: requestRows, jobs, status });
  return { store, requestRows, status, observer };
}

/** The Data Rights Protocol: trusted agents, their signed requests, and signed status callbacks. */
export function drpModule(
  platform: Platform,
  {
    deriveKey,
    audit,
    vault,
    requests,
    status: drpStatus,
  }: {
    deriveKey: DeriveKey;
    audit: AuditService;
    vault: Pick<ReturnType<typeof vaultModule>, 'records'>;
    requests: Pick<
      ReturnType<typeof requestsModule>,
      'requests' | 'workflow' | 'requestVerification' | 'objection' | 'requestExports'
    >;
    status: ReturnType<typeof drpStatusModule>;
  },
) {
  const { config, db, clock, logger, version, jobs } = platform;
  const { store: drpRows, requestRows } = drpStatus;
  const drpAgents = drpAgentService({ db, store: drpRows, audit, clock, businessId: config.drpBusinessId });
  const outgoing = notificationSettingsOf(config, version);
  const drpSigningKey = lazyDrpSigningKey(join(keysDirOf(config), 'drp-signing-key.pem'));
  const drpClaimsBox = sealedBox(deriveKey('custos.drp-claims.v1'));
  const drp = drpService({
    db,
    store: drpRows,
    requestRows,
    agents: drpAgents,
    requests: requests.requests,
    workflow: requests.workflow,
    subjects: vault.records,
    box: drpClaimsBox,
    audit,
    clock,
    destination: outgoing.destination,
    status: drpStatus.status,
    optOut: requests.objection,
    exports: requests.requestExports,
  });
  const drpOperations = drpOperationsService({
    db,
    store: drpRows,
    requestRows,
    box: drpClaimsBox,
    jobs,
    audit,
    clock,
    status: drpStatus.status,
  });
  const drpVerification = drpVerificationService({
    db,
    store: drpRows,
    requestRows,
    workflow: requests.workflow,
    verification: requests.requestVerification,
    requests: requests.requests,
    optIn: requests.objection,
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
    jobs,
    clock,
    logger,
    retry: outgoing.retry,
    signingKey: drpSigningKey,
    businessId: config.drpBusinessId,
  });
  return {
    drpAgents,
    drp,
    drpOperations,
    drpVerification,
    drpSigningKey,
    background: { jobs: [drpCallbackJob(drpCallbacks, logger, config.webhookTimeout)], prune: [] },
  };
}
