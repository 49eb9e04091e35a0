/** Who did something. Ids are internal, pseudonymous identifiers, never e-mail addresses or names. */
export type Actor =
  | { type: 'operator'; id: string }
  | { type: 'api_key'; id: string }
  | { type: 'subject'; id: string }
  | { type: 'system'; id: string }
  /** An authorized agent of the Data Rights Protocol, by its service-directory id. */
  | { type: 'agent'; id: string }
  | { type: 'anonymous'; id: null };

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** Request facts an audit entry carries; built once per request by the auth hook. */
export type AuditContext = {
  actor: Actor;
  requestId: string | null;
  /** Raw client IP; the audit service truncates and hashes it before storing. */
  ip: string | null;
};

export type AuditEntryInput = {
  /** Dotted name: `<module>.<thing>.<event>`, e.g. `operator.login.failed`. */
  action: string;
  outcome: AuditOutcome;
  /** What was acted on: a type and a pseudonymous id (uuid, key prefix), never personal data. */
  target?: { type: string; id: string } | undefined;
  /** The stated purpose, for reads of personal data. */
  purpose?: string | undefined;
  /** Structured facts (field names, counts, reason codes): never personal data or secrets. */
  details?: Record<string, unknown> | undefined;
};

/** What other modules need of the audit service: write entries, in their transaction or on their own. */
export type AuditWriter = {
  /** Appends inside the caller's transaction, so the entry commits or rolls back with the change. */
  append(
    tx: import('../../db/database.js').Executor,
    context: AuditContext,
    entry: AuditEntryInput,
  ): Promise<unknown>;
  /**
   * `append` sent in one statement with the writes it records (queries built on `tx`, run as
   * data-modifying CTEs): one round trip for both.
   */
  appendWith(
    tx: import('../../db/database.js').Executor,
    context: AuditContext,
    entry: AuditEntryInput,
    writes: readonly import('kysely').OperationNodeSource[],
  ): Promise<unknown>;
  /**
   * `appendWith` for a change made in one statement behind a guard (see the audit service): nothing is
   * written, and nothing returned, when the guard query returns no row.
   */
  appendIf(
    tx: import('../../db/database.js').Executor,
    context: AuditContext,
    entry: AuditEntryInput,
    guard: import('kysely').OperationNodeSource,
    writes?: readonly import('kysely').OperationNodeSource[],
  ): Promise<{ seq: number } | undefined>;
  /** `appendIf` for many changes in one statement: answers the keys whose change the guard made. */
  appendEachIf(
    tx: import('../../db/database.js').Executor,
    guard: import('kysely').OperationNodeSource,
    entries: readonly { key: string; context: AuditContext; entry: AuditEntryInput }[],
    writes?: readonly import('kysely').OperationNodeSource[],
  ): Promise<Set<string>>;
  /** Several entries inside the caller's transaction, in two round trips however many. */
  appendMany(
    tx: import('../../db/database.js').Executor,
    entries: readonly { context: AuditContext; entry: AuditEntryInput }[],
  ): Promise<unknown>;
  /** Appends in a transaction of its own (denials, failed logins: nothing else to commit with). */
  record(context: AuditContext, entry: AuditEntryInput): Promise<unknown>;
};
