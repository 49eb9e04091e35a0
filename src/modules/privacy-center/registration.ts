import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError, isAppError } from '../../lib/app-error.js';
import { type Argon2Params, assertStrongPassword, hashPassword } from '../access/passwords.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { ProofInput } from '../consent/consent-proof.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { HeldChoices } from '../consent/held-choices.js';
import type { PurposeService } from '../consent/purpose-service.js';
import type { CollectionService } from '../vault/collection-service.js';
import type { RecordService } from '../vault/record-service.js';
import type { AccountVerification } from './account-verification.js';
import { ensureProfileCollection, profileCollectionName } from './profile-collection.js';
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
  clock: { now(): Date };
  records: Pick<RecordService, 'createSubject' | 'createRecord' | 'shredSubject'>;
  collections: Pick<CollectionService, 'get' | 'create'>;
  purposes: Pick<PurposeService, 'catalog'>;
  consent: Pick<ConsentService, 'hold' | 'applyGpc'>;
  audit: AuditWriter;
  /** The organization's name, guessable in its people's passwords. */
  settings: { argon2: Argon2Params; brandName: string };
};

function invalidChoice(detail: string): AppError {
  return new AppError('validation_failed', detail, {
    errors: [{ in: 'body', path: 'consents', message: detail }],
  });
}

function isAccountExists(error: unknown): boolean {
  return isAppError(error) && error.code === 'conflict' && error.extensions.reason === 'account_exists';
}

/**
 * Registration in the privacy center, answered the same way whether or not the address has an account.
 * A new address gets a vault subject holding the name and e-mail address (sealed), the account (password
 * as argon2id) waiting for its address to be confirmed, and a code e-mailed to confirm it. The consent
 * choices made on the form (and GPC) wait with the account, proof taken now, and are recorded only when
 * the address is confirmed (account-verification.ts): until then the subject has consented to nothing. An
 * address with an account gets a notice and nothing else. Both do the password hashing. A failure after
 * the subject was created erases it again.
 */
export function registrationService({
  db,
  accounts,
  verification,
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
   * of this is checked before the address is looked up: an input error must not depend on the address.
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
   * The choices to hold until the address is confirmed; none when the form chose nothing. A GPC signal is
   * not held: its opt-outs only ever restrict, so they are recorded at once (see createRegistration).
   */
  function choicesToHold(input: Registration): HeldChoices | null {
    if (input.consents.length === 0) return null;
    return consent.hold({ choices: input.consents, proof: input.proof });
  }

  /** The new subject with its record and pending account holding the choices; the code is e-mailed on commit. */
  async function createRegistration(context: AuditContext, input: Registration, passwordHash: string) {
    await ensureProfileCollection(collections);
    const subject = await records.createSubject(context, {});
    const own = asSubject(context, subject.id);
    try {
      await records.createRecord(own, subject.id, profileCollectionName, {
        name: input.name,
        email: input.email,
      });
      if (input.gpc) {
        // Honoured before the address is proven: an opt-out cannot be used against anyone. Purposes the
        // form grants are left out, as the grants recorded at confirmation would follow it anyway.
        await consent.applyGpc(own, subject.id, {
          proof: input.proof,
          except: new Set(input.consents.filter((choice) => choice.granted).map((choice) => choice.purpose)),
        });
      }
      const pendingConsents = choicesToHold(input);
      await db.transaction().execute(async (tx) => {
        const verifyBy = verification.deadlineFrom(clock.now());
        const accountId = await accounts.createPendingAccount(tx, {
          subjectId: subject.id,
          email: input.email,
          passwordHash,
          verifyBy,
          pendingConsents,
        });
        await audit.append(tx, own, {
          action: 'subject.account.registered',
          outcome: 'success',
          target: { type: 'subject', id: subject.id },
          details: {
            granted: input.consents.filter((choice) => choice.granted).map((choice) => choice.purpose),
            gpc: input.gpc,
            status: 'pending_verification',
            verifyBy: verifyBy.toISOString(),
          },
        });
        await verification.sendCode(
          tx,
          { id: accountId, subject_id: subject.id, verify_by: verifyBy },
          input.email,
        );
      });
    } catch (error) {
      // Nothing of a failed registration may stay readable: the half-made subject is crypto-shredded.
      await records.shredSubject(own, subject.id).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Registers, or tells the owner of an address that has an account; the caller answers the same either
   * way. Only input errors (a weak password, an unknown purpose) are reported, and they never depend on
   * whether the address is known.
   */
  async function register(context: AuditContext, input: Registration): Promise<void> {
    assertStrongPassword(input.password, {
      name: input.name,
      email: input.email,
      brand: settings.brandName,
    });
    await checkChoices(input.consents);
    // Hashed in both branches, so that a known address does not answer measurably faster.
    const passwordHash = await hashPassword(input.password, settings.argon2);
    let existing = await accounts.findByEmail(input.email);
    if (existing && accounts.isPastDeadline(existing, clock.now())) {
      // An unconfirmed registration past its deadline that the job has not removed yet: remove it now.
      if (await verification.expireOne(context, existing.id)) existing = undefined;
    }
    if (existing) return verification.notifyExisting(context, existing, input.email);
    try {
      await createRegistration(context, input, passwordHash);
    } catch (error) {
      if (!isAccountExists(error)) throw error;
      // A concurrent registration of the same address won: answer as for any known address.
      const winner = await accounts.findByEmail(input.email);
      if (winner) await verification.notifyExisting(context, winner, input.email);
    }
  }

  return { register };
}

export type RegistrationService = ReturnType<typeof registrationService>;
