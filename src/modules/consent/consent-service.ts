import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { EventPublisher } from '../notifications/event-types.js';
import { consentExpiry } from './consent-expiry.js';
import {
  csvHeader,
  csvRow,
  type HistoryFormat,
  historyItemOf,
  jsonClosing,
  jsonItem,
  jsonOpening,
} from './consent-export.js';
import { type ProofHashes, type ProofInput, proofHashes } from './consent-proof.js';
import { type ConsentReceipt, receiptOf } from './consent-receipt.js';
import {
  type ConsentMethod,
  type ConsentSource,
  type ConsentStatus,
  gpcOptOuts,
  methodProblem,
  objectionApplies,
  type RecordableAction,
} from './consent-rules.js';
import type { ConsentStates, SubjectConsent } from './consent-states.js';
import type { ConsentEventView, ConsentStore, NewConsentEvent } from './consent-store.js';
import { type ConsentCall, consentWriter, type WrittenEvent } from './consent-writer.js';
import { type HeldChoice, type HeldChoices, type HeldOutcome, ZHeldChoices } from './held-choices.js';
import { type PurposeService, rulesOf } from './purpose-service.js';
import type { PurposeRow } from './purpose-store.js';

/** A purpose a subject acted on; `version` is the one they were shown (default: the current one). */
export type PurposeChoice = { key: string; version?: number | undefined };

export type ConsentRecordInput = {
  subjectId: string;
  purposes: PurposeChoice[];
  action: RecordableAction;
  method: ConsentMethod;
  source: ConsentSource;
  /** When the subject acted (default: now). */
  givenAt?: Date | undefined;
  /** Grants only: when the consent lapses. */
  expiresAt?: Date | undefined;
  proof?: ProofInput | undefined;
};

type Deps = {
  db: Kysely<DB>;
  store: ConsentStore;
  purposes: PurposeService;
  states: ConsentStates;
  audit: AuditWriter;
  events: EventPublisher;
  clock: Clock;
  settings: {
    proofKey: Buffer;
    /** Transactions recording events at once (group commit, see consent-writer.ts). */
    writers: number;
  };
};

/** What choices recorded later bring: their proof hashed back then, and the purposes read now. */
type HeldContext = { hashes: ProofHashes; catalog: ReadonlyMap<string, PurposeRow> };

function purposeIn(catalog: ReadonlyMap<string, PurposeRow>, key: string): PurposeRow {
  const purpose = catalog.get(key);
  if (!purpose) throw new AppError('not_found', `There is no purpose ${key}.`);
  return purpose;
}

/** A subject's given time may run a little ahead of ours (clock skew), not more. */
const maxClockSkewMs = 5 * 60_000;
const historyPageSize = 500;

function invalidBody(detail: string, path: string): AppError {
  return new AppError('validation_failed', detail, { errors: [{ in: 'body', path, message: detail }] });
}

/**
 * Consent events: grants, withdrawals, denials and objections with their proof, appended to the
 * history with the standing state moved in the same transaction (and the audit entry, and the events
 * for webhooks; written with group commit by consent-writer.ts); GPC opt-outs; expiry; receipts and the
 * exportable history.
 */
export function consentService({ db, store, purposes, states, audit, events, clock, settings }: Deps) {
  const writer = consentWriter({
    db,
    store,
    audit,
    events,
    announce: states.announce,
    settings: { writers: settings.writers, maxBatch: 100 },
  });

  /** The subject's state, or 404 / 410 when there is no subject or they were erased. */
  async function liveSubject(subjectId: string): Promise<SubjectConsent> {
    const consent = await states.of(subjectId);
    if (!consent) throw new AppError('not_found', 'Subject not found.');
    if (consent.status === 'erased') {
      throw new AppError('subject_erased', 'This subject was erased; no consent can be recorded for them.');
    }
    return consent;
  }

  async function versionFor(purpose: PurposeRow, choice: PurposeChoice, action: RecordableAction) {
    const version = choice.version ?? purpose.version;
    if (version > purpose.version) {
      throw invalidBody(`Purpose ${purpose.key} has no version ${version} yet.`, 'purposes');
    }
    if (action === 'grant' && version < purpose.min_version) {
      throw new AppError(
        'unprocessable',
        `Consents to version ${version} of purpose ${purpose.key} no longer count; show the subject version ${purpose.version} and record that.`,
        { extensions: { purpose: purpose.key, currentVersion: purpose.version } },
      );
    }
    return version;
  }

  /**
   * Checks the input against each purpose's rules and builds the events to append. `held`: for choices
   * recorded later, the proof's hashes taken when they were made and the purposes as the caller's
   * transaction reads them.
   */
  async function eventsFor(
    context: AuditContext,
    input: ConsentRecordInput,
    held?: HeldContext,
  ): Promise<NewConsentEvent[]> {
    const now = clock.now();
    const givenAt = input.givenAt ?? now;
    if (givenAt.getTime() > now.getTime() + maxClockSkewMs) {
      throw invalidBody('must not be in the future', 'givenAt');
    }
    if (input.expiresAt && input.action !== 'grant') {
      throw invalidBody('only a grant can expire', 'expiresAt');
    }
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
      throw invalidBody('must be in the future', 'expiresAt');
    }
    const { ipHash, userAgentHash } = held?.hashes ?? proofHashes(settings.proofKey, input.proof);
    const rows: NewConsentEvent[] = [];
    for (const choice of input.purposes) {
      const purpose = held ? purposeIn(held.catalog, choice.key) : await purposes.require(choice.key);
      const problem = methodProblem(purpose.legal_basis, input.action, input.method);
      if (problem) {
        throw new AppError('invalid_consent_method', problem, {
          extensions: { purpose: purpose.key, legalBasis: purpose.legal_basis, method: input.method },
        });
      }
      if (input.action === 'object' && !objectionApplies(purpose.legal_basis)) {
        throw new AppError(
          'objection_not_applicable',
          purpose.legal_basis === 'consent'
            ? `Purpose ${purpose.key} rests on consent: withdraw the consent instead of objecting.`
            : `Purpose ${purpose.key} rests on ${purpose.legal_basis}; an objection (GDPR Art. 21) applies to public task and legitimate interests only.`,
          { extensions: { purpose: purpose.key, legalBasis: purpose.legal_basis } },
        );
      }
      rows.push({
        id: randomUUID(),
        subject_id: input.subjectId,
        purpose_key: purpose.key,
        version: await versionFor(purpose, choice, input.action),
        action: input.action,
        method: input.method,
        source: input.source,
        given_at: givenAt,
        recorded_at: now,
        expires_at: input.expiresAt ?? null,
        form_id: input.proof?.formId ?? null,
        ip_hash: ipHash,
        user_agent_hash: userAgentHash,
        actor_type: context.actor.type,
        actor_id: context.actor.id,
        request_id: context.requestId,
      });
    }
    return rows;
  }

  /** Receipts for events just written. */
  async function receiptsFor(written: WrittenEvent[]): Promise<ConsentReceipt[]> {
    const catalog = await purposes.catalog();
    return Promise.all(
      written.map(async (event) => {
        const version = await purposes.version(event.purpose_key, event.version);
        const view: ConsentEventView = { ...event, text_hash: version.text_hash };
        return receiptOf(view, catalog.get(event.purpose_key) ?? { name: event.purpose_key }, version);
      }),
    );
  }

  /** Records what a subject did about one or more purposes; returns a receipt per event. */
  async function record(context: AuditContext, input: ConsentRecordInput): Promise<ConsentReceipt[]> {
    const keys = input.purposes.map((choice) => choice.key);
    if (new Set(keys).size !== keys.length) throw invalidBody('name each purpose once', 'purposes');
    return receiptsFor(await writer.write(context, input.subjectId, () => eventsFor(context, input)));
  }

  /**
   * A Global Privacy Control signal: opts the subject out of every purpose flagged as sale or sharing
   * (withdrawing a grant, or recording a denial where there was none), except `except` (purposes the
   * same request chose explicitly). Purposes already opted out are left alone, so repeating the signal
   * records nothing new. `givenAt` is when the signal was sent, when that was before it is recorded.
   */
  async function applyGpc(
    context: AuditContext,
    subjectId: string,
    options: { proof?: ProofInput | undefined; except?: ReadonlySet<string>; givenAt?: Date } = {},
  ): Promise<ConsentReceipt[]> {
    const optOuts = async (): Promise<NewConsentEvent[]> => {
      const consent = await liveSubject(subjectId);
      const statusOf = (key: string) => consent.choices.get(key)?.status;
      const catalog = await purposes.catalog();
      const groups = await gpcEventsFor(context, subjectId, catalog, statusOf, options.except, {
        proof: options.proof,
        givenAt: options.givenAt,
      });
      return groups.flat();
    };
    return receiptsFor(await writer.write(context, subjectId, optOuts));
  }

  /** The events of a GPC opt-out, as two groups (withdrawals, denials), given the standing statuses. */
  async function gpcEventsFor(
    context: AuditContext,
    subjectId: string,
    catalog: ReadonlyMap<string, PurposeRow>,
    statusOf: (key: string) => ConsentStatus | null | undefined,
    except: ReadonlySet<string> | undefined,
    proof: Pick<ConsentRecordInput, 'proof' | 'givenAt'>,
  ): Promise<NewConsentEvent[][]> {
    const targets = gpcOptOuts(
      [...catalog.values()].map((purpose) => ({ key: purpose.key, ...rulesOf(purpose) })),
      statusOf,
      except,
    );
    const base = { subjectId, method: 'opt_out' as const, source: 'gpc' as const, ...proof };
    const keys = (list: string[]) => list.map((key) => ({ key }));
    return Promise.all([
      targets.withdraw.length > 0
        ? eventsFor(context, { ...base, action: 'withdraw', purposes: keys(targets.withdraw) })
        : [],
      targets.deny.length > 0
        ? eventsFor(context, { ...base, action: 'deny', purposes: keys(targets.deny) })
        : [],
    ]);
  }

  /** Choices made now that are recorded later (`recordHeld`): their time is taken and proof hashed now. */
  function hold(input: { choices: HeldChoice[]; proof?: ProofInput | undefined }): HeldChoices {
    const { ipHash, userAgentHash } = proofHashes(settings.proofKey, input.proof);
    return {
      givenAt: clock.now().toISOString(),
      formId: input.proof?.formId ?? null,
      ipHash,
      userAgentHash,
      choices: input.choices.map(({ purpose, version, granted }) => ({ purpose, version, granted })),
    };
  }

  /**
   * Records held choices in the caller's transaction, as given when they were made (their proof and
   * time; `recordedAt` is now): the grants, then the denials, each audited as `record`
   * audits it. A grant that no longer counts (its version was superseded meanwhile) is left out and named in
   * `lapsed`. The caller announces the subject (`announce`) after its commit.
   */
  async function recordHeld(
    tx: Tx,
    context: AuditContext,
    subjectId: string,
    held: HeldChoices,
  ): Promise<HeldOutcome> {
    const { givenAt, formId, ipHash, userAgentHash, choices } = ZHeldChoices.parse(held);
    // Read in the transaction: it holds a connection, and PGlite has no second one.
    const catalog = await purposes.catalogWithin(tx);
    const earlier: HeldContext = { hashes: { ipHash, userAgentHash }, catalog };
    const counts = (choice: HeldChoice) => {
      const purpose = catalog.get(choice.purpose);
      return purpose !== undefined && (!choice.granted || choice.version >= purpose.min_version);
    };
    const kept = choices.filter(counts);
    const proof = { givenAt: new Date(givenAt), proof: { formId: formId ?? undefined } };
    const chosen = async (granted: boolean): Promise<NewConsentEvent[]> => {
      const group = kept.filter((choice) => choice.granted === granted);
      if (group.length === 0) return [];
      const input: ConsentRecordInput = {
        ...proof,
        subjectId,
        purposes: group.map((choice) => ({ key: choice.purpose, version: choice.version })),
        action: granted ? 'grant' : 'deny',
        method: granted ? 'explicit_opt_in' : 'opt_out',
        source: 'privacy_center',
      };
      return eventsFor(context, input, earlier);
    };
    const groups = [await chosen(true), await chosen(false)];
    const calls: ConsentCall[] = groups.map((events) => ({ context, subjectId, events }));
    const written = await writer.writeWithin(tx, calls);
    const lapsed = choices.filter((choice) => !counts(choice)).map((choice) => choice.purpose);
    return { events: written.length, lapsed };
  }

  /**
   * Records an objection (GDPR Art. 21) to the given purposes, or to every purpose an objection applies
   * to (public task, legitimate interests) that the subject has not objected to yet. For the requests
   * module and the API.
   */
  async function object(
    context: AuditContext,
    subjectId: string,
    options: { purposes?: string[] | undefined; source: ConsentSource; proof?: ProofInput | undefined },
  ): Promise<ConsentReceipt[]> {
    const consent = await liveSubject(subjectId);
    const keys =
      options.purposes ??
      [...(await purposes.catalog()).values()]
        .filter((purpose) => objectionApplies(purpose.legal_basis))
        .filter((purpose) => !consent.choices.get(purpose.key)?.objectedAt)
        .map((purpose) => purpose.key);
    if (keys.length === 0) return [];
    return record(context, {
      subjectId,
      purposes: keys.map((key) => ({ key })),
      action: 'object',
      method: 'opt_out',
      source: options.source,
      proof: options.proof,
    });
  }

  /** The receipt of a recorded event. */
  async function receipt(eventId: string): Promise<ConsentReceipt> {
    const event = await store.event(db, eventId);
    if (!event) throw new AppError('not_found', 'There is no consent event with this id.');
    const purpose = (await purposes.catalog()).get(event.purpose_key) ?? { name: event.purpose_key };
    return receiptOf(event, purpose, await purposes.version(event.purpose_key, event.version));
  }

  async function* historyChunks(subjectId: string, format: HistoryFormat): AsyncGenerator<string> {
    yield format === 'csv' ? csvHeader() : jsonOpening(subjectId, clock.now());
    let after = 0;
    let first = true;
    for (;;) {
      const page = await store.historyPage(db, subjectId, after, historyPageSize);
      let chunk = '';
      for (const event of page) {
        const item = historyItemOf(event);
        chunk += format === 'csv' ? csvRow(item) : jsonItem(item, first);
        first = false;
      }
      if (chunk) yield chunk;
      const last = page.at(-1);
      if (!last || page.length < historyPageSize) break;
      after = Number(last.seq);
    }
    if (format === 'json') yield jsonClosing;
  }

  /**
   * A subject's whole history with proof, oldest first, as JSON or CSV text chunks (a page each), so any
   * length streams in flat memory. Checked and audited before the first chunk, so a problem is still an
   * ordinary error response.
   */
  async function history(
    context: AuditContext,
    subjectId: string,
    format: HistoryFormat,
  ): Promise<AsyncGenerator<string>> {
    if (!(await states.of(subjectId))) throw new AppError('not_found', 'Subject not found.');
    await audit.record(context, {
      action: 'consent.history.exported',
      outcome: 'success',
      target: { type: 'subject', id: subjectId },
      details: { format },
    });
    return historyChunks(subjectId, format);
  }

  return {
    record,
    applyGpc,
    hold,
    recordHeld,
    /** After a commit that recorded consent in the caller's transaction: every process forgets the subjects. */
    announce: (subjectIds: string[]) => states.announce(subjectIds),
    object,
    expireDue: consentExpiry({ db, store, states, audit, events, clock }),
    receipt,
    history,
  };
}

export type ConsentService = ReturnType<typeof consentService>;
