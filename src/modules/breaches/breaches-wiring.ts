import type { PdfRenderer } from '../../lib/documents/pdf.js';
import type { Platform } from '../../wiring/platform.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { SecurityAlerts } from '../alerts/security-alerts.js';
import type { AuditExposures } from '../audit/audit-exposures.js';
import type { AuditService } from '../audit/audit-service.js';
import type { MailService } from '../mail/mail-service.js';
import type { PersonalDataPlace } from '../vault/personal-data.js';
import type { vaultModule } from '../vault/vault-wiring.js';
import type { NoticeDataMap } from './authority-notice.js';
import { blastRadius as blastRadiusService } from './blast-radius.js';
import { breachClockAlerts, clockJob, individualNoticesJob } from './breach-jobs.js';
import { breachNotices as breachNoticesService } from './breach-notices.js';
import { breachProtection } from './breach-protection.js';
import { breachRegister } from './breach-register.js';
import { breachStore } from './breach-store.js';

type Deps = {
  audit: AuditService;
  exposures: AuditExposures;
  networkRefs: (cidr: string) => string[];
  alerts: Pick<AlertService, 'get'>;
  raiseAlert: Pick<SecurityAlerts, 'breachClock'>;
  vault: Pick<ReturnType<typeof vaultModule>, 'collections' | 'addresses'>;
  mail: Pick<MailService, 'enqueue'>;
  /** The organization profile and the data map's systems and processors, from the inventory module. */
  dataMap: () => Promise<NoticeDataMap>;
  /** The process's one document printer, shared with every other document. */
  pdf: PdfRenderer;
};

/** Breaches: the register, the clock and its alerts, notices to the authority and to individuals, the blast radius. */
export function breachesModule({ db, clock, logger, jobs }: Platform, deps: Deps) {
  const store = breachStore();
  const collections = async () =>
    (await deps.vault.collections.list()).map(({ name, fields }) => ({ name, fields }));
  const breaches = breachRegister({
    db,
    store,
    audit: deps.audit,
    clock,
    protectionOf: breachProtection({ store }),
    collections,
  });
  const breachNotices = breachNoticesService({
    db,
    store,
    register: breaches,
    audit: deps.audit,
    clock,
    jobs,
    dataMap: deps.dataMap,
    pdf: deps.pdf,
    mail: deps.mail,
    addresses: deps.vault.addresses,
    settings: { batchSize: 200 },
  });
  const blastRadius = blastRadiusService({
    store,
    register: breaches,
    audit: deps.audit,
    clock,
    exposures: deps.exposures,
    networkRefs: deps.networkRefs,
    collections,
    alert: deps.alerts.get,
    // A mass-reveal alert counts an hour, and is raised by the minute job up to a few minutes after it.
    settings: { alertLookbackMs: 2 * 3_600_000 },
  });
  const checkClocks = breachClockAlerts({ db, store, clock, raise: deps.raiseAlert.breachClock });
  const personalData: PersonalDataPlace = {
    name: 'breach_affected_subjects',
    onErasure: 'the subject leaves every affected set; the breaches’ counts and delivery records stay',
    erase: (tx, subjectId) => store.eraseAffected(tx, subjectId),
  };
  return {
    breaches,
    breachNotices,
    blastRadius,
    checkClocks,
    personalData,
    background: {
      jobs: [clockJob(checkClocks, logger), individualNoticesJob(breachNotices, logger)],
      prune: [],
    },
  };
}
