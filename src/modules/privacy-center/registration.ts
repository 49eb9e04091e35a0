import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobSender } from '../../jobs/job-sender.js';
import { AppError, isAppError } from '../../lib/app-error.js';
import { assertStrongPassword } from '../access/passwords.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { ProofInput } from '../consent/consent-proof.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { HeldChoices } from '../consent/held-choices.js';
import type { PurposeService } from '../consent/purpose-service.js';
import type { CollectionService } from '../vault/collection-service.js';
import type { RecordService } from '../vault/record-service.js';
import type { AccountVerification } from './account-verification.js';
import {
  type PendingRegistration,
  type PendingRegistrationStore,
  pendingRegistrationLifetimeMs,
} from './pending-registrations.js';
import { ensureProfileCollection, profileCollectionName } from './profile-collection.js';
import type { SubjectAccountRow } from './subject-account-store.js';
import { asSubject, type SubjectAccountService } from './subject-accounts.js';

export type ConsentChoice = { purpose: string; version: number; granted: boolean };

export type Registration = {
  name: string;
  email: string;
  password: string;
  /** One choice per consent-based purpose the form showed; nothing is granted unless ticked. */
  consents: ConsentChoice[];
  /** The browser sent Global Privacy Control (`Sec-GPC: 1` or `navigator.globalPrivacyControl`). */
  gpc: boolean;
  proof: ProofInput;
};

type Deps = {
  db: Kysely<DB>;
  accounts: Pick<SubjectAccountService, 'findByEmail' | 'isPastDeadline' | 'createPendingAccount'>;
  verification: Pick<AccountVerification, 'deadlineFrom' | 'sendCode' | 'notifyExisting' | 'expireOne'>;
  /** Registrations received, sealed, until their job works them. */
  pending: PendingRegistrationStore;
  jobs: JobSender;
  /** Hashes a password with the configured argon2id parameters. */
  passwords: { hash(password: string): Promise<string> };
  clock: { now(): Date };
  records: Pick<RecordService, 'createSubject' | 'createRecord' | 'shredSubject'>;
  collections: Pick<CollectionService, 'get' | 'create'>;
  purposes: Pick<PurposeService, 'catalog'>;
  consent: Pick<ConsentService, 'hold' | 'applyGpc'>;
  audit: AuditWriter;
  /** The organization's name, guessable in its people's passwords. */
  settings: { brandName: string };
};

export const registrationJobName = 'privacy.registrations.work';

/** What a registration's job did: made the account, told the owner of an existing one, or found it done. */
export type RegistrationOutcome = 'registered' | 'notified' | 'done';

function invalidChoice(detail: string): AppError {
  return new AppError('validation_failed', detail, {
    errors: [{ in: 'body', path: 'consents', message: detail }],
  });
}

function isConflict(error: unknown, reason: string): boolean {
  return isAppError(error) && error.code === 'conflict' && error.extensions.reason === reason;
}

/** Thrown in the transaction that takes a pending registration another run of its job took first. */
function workedAlready(): AppError {
  return new AppError('conflict', 'This registration was worked already.', {
    extensions: { reason: 'registration_worked' },
  });
}

/**
 * Registration in the privacy center, answered the same way whether or not the address has an account,
 * after the same work: the request checks the input, hashes the password, and stores what was given as
 * one sealed pending registration with the job that works it, in one transaction. It never looks the
 * address up, so neither its answer nor its time depends on the address.
 *
 * The job (`work`) looks the address up. A new address gets a vault subject holding the name and e-mail
 * address (sealed), the account (password as argon2id) waiting for its address to be confirmed, and a
 * code e-mailed to confirm it. The consent choices made on the form (and GPC) wait with the account, proof
 * taken at the request, and are recorded only when the address is confirmed (account-verification.ts):
 * until then the subject has consented to nothing. An address with an account gets a notice and nothing
 * else. Either way the pending registration is deleted in the transaction that does the work; a failure
 * after the subject was created erases it again, and the job is retried.
 */
export function registrationService({
  db,
  accounts,
  verification,
  pending,
  jobs,
  passwords,
  clock,
  records,
  collections,
  purposes,
  consent,
  audit,
  settings,
}: Deps) {
  /**
   * Every choice names a purpose based on consent, once, in a version the consent module will record. All
   * of this is checked before anything is stored: an input error must not depend on the address.
   */
  async function checkChoices(choices: ConsentChoice[]): Promise<void> {
    const catalog = await purposes.catalog();
    const seen = new Set<string>();
    for (const choice of choices) {
      const purpose = catalog.get(choice.purpose);
      if (!purpose) throw invalidChoice(`There is no purpose ${choice.purpose}.`);
      if (purpose.legal_basis !== 'consent') {
        throw invalidChoice(
          `Purpose ${choice.purpose} does not rest on consent; there is nothing to choose.`,
        );
      }
      if (seen.has(choice.purpose)) throw invalidChoice(`Purpose ${choice.purpose} is named twice.`);
      seen.add(choice.purpose);
      if (choice.version > purpose.version) {
        throw invalidChoice(`Purpose ${choice.purpose} has no version ${choice.version} yet.`);
      }
      if (choice.granted && choice.version < purpose.min_version) {
        throw new AppError(
          'unprocessable',
          `Consents to version ${choice.version} of purpose ${choice.purpose} no longer count; reload the form to see version ${purpose.version}.`,
          { extensions: { purpose: choice.purpose, currentVersion: purpose.version } },
        );
      }
    }
  }

  /**
   * The choices to hold until the address is confirmed, with their proof taken now; none when the form
   * chose nothing. A GPC signal is not held: its opt-outs only ever restrict, so they are recorded as soon
   * as the subject exists (see createRegistration).
   */
  function choicesToHold(input: Registration): HeldChoices | null {
    if (input.consents.length === 0) return null;
    return consent.hold({ choices: input.consents, proof: input.proof });
  }

  /**
   * The request's work, the same for every address: checks the input (a weak password, an unknown
   * purpose are the only errors, and never depend on the address), hashes the password, and stores the
   * sealed pending registration with its job, audited, in one transaction.
   */
  async function register(context: AuditContext, input: Registration): Promise<void> {
    assertStrongPassword(input.password, {
      name: input.name,
      email: input.email,
      brand: settings.brandName,
    });
    await checkChoices(input.consents);
    const passwordHash = await passwords.hash(input.password);
    const id = randomUUID();
    const now = clock.now();
    const registration: PendingRegistration = {
      context,
      name: input.name,
      email: input.email,
      passwordHash,
      consents: input.consents,
      held: choicesToHold(input),
      gpc: input.gpc,
      proof: input.proof,
      receivedAt: now.toISOString(),
    };
    await db.transaction().execute(async (tx) => {
      await pending.insert(tx, id, registration, now);
      await jobs.send(registrationJobName, { id }, { tx });
      await audit.append(tx, context, {
        action: 'subject.account.registration_received',
        outcome: 'success',
        target: { type: 'registration', id },
      });
    });
  }

  /** Deletes the pending registration in the caller's transaction, or stops it when another run did. */
  async function take(tx: Tx, id: string): Promise<void> {
    if (!(await pending.take(tx, id))) throw workedAlready();
  }

  /** The new subject with its record and pending account holding the choices; the code is e-mailed on commit. */
  async function createRegistration(id: string, registration: PendingRegistration) {
    const { context, name, email, consents, gpc, proof } = registration;
    await ensureProfileCollection(collections);
    const subject = await records.createSubject(context, {});
    const own = asSubject(context, subject.id);
    try {
      await records.createRecord(own, subject.id, profileCollectionName, { name, email });
      if (gpc) {
        // Honoured before the address is proven: an opt-out cannot be used against anyone. Purposes the
        // form grants are left out, as the grants recorded at confirmation would follow it anyway.
        await consent.applyGpc(own, subject.id, {
          proof,
          except: new Set(consents.filter((choice) => choice.granted).map((choice) => choice.purpose)),
          givenAt: new Date(registration.receivedAt),
        });
      }
      await db.transaction().execute(async (tx) => {
        await take(tx, id);
        const verifyBy = verification.deadlineFrom(clock.now());
        const accountId = await accounts.createPendingAccount(tx, {
          subjectId: subject.id,
          email,
          passwordHash: registration.passwordHash,
          verifyBy,
          pendingConsents: registration.held,
        });
        await audit.append(tx, own, {
          action: 'subject.account.registered',
          outcome: 'success',
          target: { type: 'subject', id: subject.id },
          details: {
            granted: consents.filter((choice) => choice.granted).map((choice) => choice.purpose),
            gpc,
            status: 'pending_verification',
            verifyBy: verifyBy.toISOString(),
          },
        });
        await verification.sendCode(
          tx,
          { id: accountId, subject_id: subject.id, verify_by: verifyBy },
          email,
        );
      });
    } catch (error) {
      // Nothing of a failed registration may stay readable: the half-made subject is crypto-shredded.
      await records.shredSubject(own, subject.id).catch(() => undefined);
      throw error;
    }
  }

  /** Tells the owner of the address, and deletes the pending registration with it. */
  function notify(id: string, registration: PendingRegistration, account: SubjectAccountRow) {
    return verification.notifyExisting(registration.context, account, registration.email, (tx) =>
      take(tx, id),
    );
  }

  /**
   * The job's work for one pending registration: registers the address, or tells the owner of an address
   * that has an account. A registration worked already (a retried job) is left alone.
   */
  async function work(id: string): Promise<RegistrationOutcome> {
    const registration = await pending.find(db, id);
    if (!registration) return 'done';
    try {
      let existing = await accounts.findByEmail(registration.email);
      if (existing && accounts.isPastDeadline(existing, clock.now())) {
        // An unconfirmed registration past its deadline that the job has not removed yet: remove it now.
        if (await verification.expireOne(registration.context, existing.id)) existing = undefined;
      }
      if (existing) {
        await notify(id, registration, existing);
        return 'notified';
      }
      try {
        await createRegistration(id, registration);
        return 'registered';
      } catch (error) {
        if (!isConflict(error, 'account_exists')) throw error;
        // A concurrent registration of the same address won: tell its owner, as for any known address.
        const winner = await accounts.findByEmail(registration.email);
        if (!winner) throw error;
        await notify(id, registration, winner);
        return 'notified';
      }
    } catch (error) {
      if (isConflict(error, 'registration_worked')) return 'done';
      throw error;
    }
  }

  /** Deletes pending registrations no job worked within their lifetime (the maintenance job's prune). */
  function pruneStale(): Promise<number> {
    return pending.deleteReceivedBefore(db, new Date(clock.now().getTime() - pendingRegistrationLifetimeMs));
  }

  return { register, work, pruneStale };
}

export type RegistrationService = ReturnType<typeof registrationService>;
