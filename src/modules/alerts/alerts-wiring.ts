import type { Platform } from '../../wiring/platform.js';
import type { AuditKeyRing } from '../audit/audit-keys.js';
import type { AuditService } from '../audit/audit-service.js';
import { pseudonymizeIp } from '../audit/client-ip.js';
import { alertService } from './alert-service.js';
import { alertStore } from './alert-store.js';
import { securityAlerts } from './security-alerts.js';

/** Alerts: raised by the other modules in their own transactions, about pseudonymous targets only. */
export function alertsModule(
  { config, db, clock }: Platform,
  { audit, auditKeys }: { audit: AuditService; auditKeys: () => AuditKeyRing },
) {
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
  });
  audit.onVerificationFailed(raiseAlert.auditVerificationFailed);
  return { alerts, raiseAlert };
}
