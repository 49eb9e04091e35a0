import { sealedBox } from '../../lib/sealed-box.js';
import type { DeriveKey, Platform } from '../../wiring/platform.js';
import type { accessModule } from '../access/access-wiring.js';
import type { AuditService } from '../audit/audit-service.js';
import type { consentModule } from '../consent/consent-wiring.js';
import type { MailService } from '../mail/mail-service.js';
import type { requestsModule } from '../requests/requests-wiring.js';
import type { vaultModule } from '../vault/vault-wiring.js';
import { accountVerification as accountVerificationService } from './account-verification.js';
import { pendingRegistrationStore } from './pending-registrations.js';
import { registrationExpiryJob, registrationWorkJob } from './privacy-jobs.js';
import { registrationService } from './registration.js';
import { selfService } from './self-service.js';
import { subjectAccountStore, subjectSessionStore } from './subject-account-store.js';
import { subjectAccountService } from './subject-accounts.js';

type Deps = {
  deriveKey: DeriveKey;
  audit: AuditService;
  mail: MailService;
  access: Pick<ReturnType<typeof accessModule>, 'throttle' | 'argon2' | 'passwordHasher'>;
  vault: Pick<ReturnType<typeof vaultModule>, 'collections' | 'records'>;
  consent: Pick<ReturnType<typeof consentModule>, 'purposes' | 'consent' | 'consentChecks'>;
  requests: Pick<ReturnType<typeof requestsModule>, 'requests' | 'requestExports'>;
};

/**
 * The privacy center: data subjects' accounts (erased with their subject), e-mail verification,
 * registration, and self-service over consent and requests.
 */
export function privacyCenterModule(platform: Platform, deps: Deps) {
  const { config, db, clock, logger, jobs } = platform;
  const { deriveKey, audit, mail, access, vault, consent, requests } = deps;
  const subjectAccountRows = subjectAccountStore();
  const subjectAccounts = subjectAccountService({
    db,
    store: subjectAccountRows,
    sessions: subjectSessionStore(),
    throttle: access.throttle,
    audit,
    clock,
    subjects: vault.records,
    settings: {
      argon2: access.argon2,
      emailKey: deriveKey('custos.subject-account-emails.v1'),
      idleTimeoutMs: config.privacySessionIdleTimeout,
      absoluteTimeoutMs: config.privacySessionAbsoluteTimeout,
      loginMaxFailures: config.loginMaxFailures,
      loginMaxFailuresPerIp: config.loginMaxFailuresPerIp,
    },
  });
  // E-mail verification of new accounts: codes under a key of their own, notices branded, links public.
  const accountVerification = accountVerificationService({
    db,
    store: subjectAccountRows,
    accounts: subjectAccounts,
    mail,
    consent: consent.consent,
    vault: vault.records,
    audit,
    clock,
    settings: {
      codeKey: deriveKey('custos.subject-account-codes.v1'),
      brandName: config.brandName,
      publicUrl: config.publicUrl,
    },
  });
  // Registrations wait, sealed under a key of their own, for the job that works them.
  const registration = registrationService({
    db,
    accounts: subjectAccounts,
    verification: accountVerification,
    pending: pendingRegistrationStore(sealedBox(deriveKey('custos.pending-registrations.v1'))),
    jobs,
    passwords: access.passwordHasher,
    clock,
    records: vault.records,
    collections: vault.collections,
    purposes: consent.purposes,
    consent: consent.consent,
    audit,
    settings: { brandName: config.brandName },
  });
  const privacySelfService = selfService({
    records: vault.records,
    collections: vault.collections,
    purposes: consent.purposes,
    checks: consent.consentChecks,
    consent: consent.consent,
    requests: requests.requests,
    requestExports: requests.requestExports,
  });
  return {
    subjectAccounts,
    accountVerification,
    registration,
    selfService: privacySelfService,
    /** The account (e-mail hash, password hash, held consent choices), its codes and sessions. */
    personalData: {
      name: 'privacy_center_accounts',
      onErasure:
        'the account (e-mail hash, password hash, held consent choices), its codes and sessions deleted',
      erase: subjectAccounts.forgetSubject,
    },
    background: {
      jobs: [registrationExpiryJob(accountVerification, logger), registrationWorkJob(registration, logger)],
      prune: [
        { name: 'subject_sessions', prune: subjectAccounts.pruneSessions },
        { name: 'pending_registrations', prune: registration.pruneStale },
      ],
    },
  };
}
