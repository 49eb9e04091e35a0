import type { Executor } from '../../db/database.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { ProofInput } from '../consent/consent-proof.js';
import type { HeldChoices } from '../consent/held-choices.js';
import type { ConsentChoice } from './registration.js';

/** A registration not worked yet is deleted by maintenance this long after it was received. */
export const pendingRegistrationLifetimeMs = 60 * 60 * 1000;

/**
 * What a registration request gave, kept until its job works it: the person's name, address, the
 * password's hash, the consent choices (held, with their proof hashes, since the time they were made), GPC
 * and the request's audit context (whose IP address the audit log hashes), so the job's audit entries
 * are those of the request that caused them.
 */
export type PendingRegistration = {
  context: AuditContext;
  name: string;
  email: string;
  passwordHash: string;
  consents: ConsentChoice[];
  held: HeldChoices | null;
  gpc: boolean;
  proof: ProofInput;
  /** When the request was answered: the time GPC's opt-outs were given. */
  receivedAt: string;
};

const aadOf = (id: string) => `custos.pending-registration.v1:${id}`;

/**
 * Pending registrations, sealed with AES-256-GCM under a key of their own and bound to their row, so
 * the table holds no readable personal data and a sealed value cannot be moved to another row.
 */
export function pendingRegistrationStore(box: SealedBox) {
  return {
    async insert(tx: Executor, id: string, registration: PendingRegistration, at: Date): Promise<void> {
      const sealed = box.seal(Buffer.from(JSON.stringify(registration), 'utf8'), aadOf(id));
      await tx.insertInto('pending_registrations').values({ id, sealed, created_at: at }).execute();
    },
    /** The registration, opened; undefined when a job worked it already (or maintenance deleted it). */
    async find(tx: Executor, id: string): Promise<PendingRegistration | undefined> {
      const row = await tx
        .selectFrom('pending_registrations')
        .select('sealed')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      return JSON.parse(box.open(row.sealed, aadOf(id)).toString('utf8')) as PendingRegistration;
    },
    /** Deletes it in the transaction that does its work; false when another run deleted it first. */
    async take(tx: Executor, id: string): Promise<boolean> {
      const result = await tx.deleteFrom('pending_registrations').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** Registrations received before `before` that no job worked (the maintenance job's prune). */
    async deleteReceivedBefore(tx: Executor, before: Date): Promise<number> {
      const result = await tx
        .deleteFrom('pending_registrations')
        .where('created_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type PendingRegistrationStore = ReturnType<typeof pendingRegistrationStore>;
