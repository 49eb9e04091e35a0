import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import { type Argon2Params, assertStrongPassword, hashPassword } from '../access/passwords.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { ProofInput } from '../consent/consent-proof.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { PurposeService } from '../consent/purpose-service.js';
import type { CollectionService } from '../vault/collection-service.js';
import type { RecordService } from '../vault/record-service.js';
import { ensureProfileCollection, profileCollectionName } from './profile-collection.js';
import { asSubject, type IssuedSubjectSession, type SubjectAccountService } from './subject-accounts.js';

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
  accounts: SubjectAccountService;
  records: Pick<RecordService, 'createSubject' | 'createRecord' | 'shredSubject'>;
  collections: Pick<CollectionService, 'get' | 'create'>;
  purposes: Pick<PurposeService, 'catalog'>;
  consent: Pick<ConsentService, 'record' | 'applyGpc'>;
  audit: AuditWriter;
  settings: { argon2: Argon2Params };
};

function invalidChoice(detail: string): AppError {
  return new AppError('validation_failed', detail, {
    errors: [{ in: 'body', path: 'consents', message: detail }],
  });
}

/**
 * Registration in the privacy center: a new vault subject holding the name and e-mail address (sealed),
 * the account (password as argon2id), the consent choices made on the form with their proof, GPC
 * honoured, and a first session. A failure after the subject was created erases it again.
 */
export function registrationService({
  db,
  accounts,
  records,
  collections,
  purposes,
  consent,
  audit,
  settings,
}: Deps) {
  /** Every choice names a purpose based on consent, once. */
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
    }
  }

  async function recordChoices(context: AuditContext, subjectId: string, input: Registration) {
    const base = { subjectId, source: 'privacy_center' as const, proof: input.proof };
    const granted = input.consents.filter((choice) => choice.granted);
    const declined = input.consents.filter((choice) => !choice.granted);
    const keysOf = (choices: ConsentChoice[]) =>
      choices.map((choice) => ({ key: choice.purpose, version: choice.version }));
    if (granted.length > 0) {
      await consent.record(context, {
        ...base,
        purposes: keysOf(granted),
        action: 'grant',
        method: 'explicit_opt_in',
      });
    }
    if (declined.length > 0) {
      await consent.record(context, {
        ...base,
        purposes: keysOf(declined),
        action: 'deny',
        method: 'opt_out',
      });
    }
    if (input.gpc) {
      await consent.applyGpc(context, subjectId, {
        proof: input.proof,
        except: new Set(granted.map((choice) => choice.purpose)),
      });
    }
  }

  async function register(context: AuditContext, input: Registration): Promise<IssuedSubjectSession> {
    assertStrongPassword(input.password, [input.email, input.name]);
    await checkChoices(input.consents);
    await accounts.assertEmailFree(input.email);
    const passwordHash = await hashPassword(input.password, settings.argon2);
    await ensureProfileCollection(collections);

    const subject = await records.createSubject(context, {});
    const own = asSubject(context, subject.id);
    try {
      await records.createRecord(own, subject.id, profileCollectionName, {
        name: input.name,
        email: input.email,
      });
      await recordChoices(own, subject.id, input);
      return await db.transaction().execute(async (tx) => {
        const accountId = await accounts.createAccount(tx, {
          subjectId: subject.id,
          email: input.email,
          passwordHash,
        });
        await audit.append(tx, own, {
          action: 'subject.account.registered',
          outcome: 'success',
          target: { type: 'subject', id: subject.id },
          details: {
            granted: input.consents.filter((choice) => choice.granted).map((choice) => choice.purpose),
            gpc: input.gpc,
          },
        });
        return accounts.startSession(tx, { id: accountId, subjectId: subject.id });
      });
    } catch (error) {
      // Nothing of a failed registration may stay readable: the half-made subject is crypto-shredded.
      await records.shredSubject(own, subject.id).catch(() => undefined);
      throw error;
    }
  }

  return { register };
}

export type RegistrationService = ReturnType<typeof registrationService>;
