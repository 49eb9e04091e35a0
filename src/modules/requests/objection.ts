import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { ProofInput } from '../consent/consent-proof.js';
import type { ConsentSource, LegalBasis, RecordableAction } from '../consent/consent-rules.js';
import { objectionNotice, optInNotice } from './fulfilment-notices.js';
import type { FulfilmentSteps } from './fulfilment-steps.js';
import type { RequestRow } from './request-store.js';
import type { NothingToStop } from './request-types.js';
import type { RequestView } from './request-views.js';
import type { RequestWorkflow } from './request-workflow.js';

/** What objection planning needs to know of a purpose (the consent module's purposes). */
export type PurposeFacts = {
  key: string;
  name: string;
  legal_basis: LegalBasis;
  data_uses: string[];
  ccpa_sale: boolean;
  ccpa_sharing: boolean;
};

/** The subject's standing choice for a purpose, and whether a check allows the purpose now (and why). */
export type StandingFacts = { status: string | null; objected: boolean; allowed?: boolean; reason?: string };

/** Consent events an objection records, by action. */
export type ObjectionPlan = { object: string[]; withdraw: string[]; deny: string[] };

/** Direct marketing, in the fideslang data uses purposes are declared with. */
export function isDirectMarketing(purpose: Pick<PurposeFacts, 'data_uses'>): boolean {
  return purpose.data_uses.some((use) => use === 'marketing' || use.startsWith('marketing.'));
}

const objectable = (basis: LegalBasis) => basis === 'legitimate_interests' || basis === 'public_task';

function objectionPlanFor(candidates: PurposeFacts[], standing: Map<string, StandingFacts>, named: boolean) {
  const plan: ObjectionPlan = { object: [], withdraw: [], deny: [] };
  const notApplicable: string[] = [];
  for (const purpose of candidates) {
    const choice = standing.get(purpose.key);
    if (objectable(purpose.legal_basis)) {
      if (!choice?.objected) plan.object.push(purpose.key);
    } else if (purpose.legal_basis === 'consent') {
      // Direct marketing stops on objection whatever its basis (Art. 21(2), (3)): on consent, by withdrawal.
      if ((named || isDirectMarketing(purpose)) && choice?.status === 'granted')
        plan.withdraw.push(purpose.key);
    } else if (named) {
      notApplicable.push(purpose.key);
    }
  }
  return { plan, notApplicable };
}

function optOutPlanFor(candidates: PurposeFacts[], standing: Map<string, StandingFacts>, named: boolean) {
  const plan: ObjectionPlan = { object: [], withdraw: [], deny: [] };
  const notApplicable: string[] = [];
  for (const purpose of candidates) {
    if (!purpose.ccpa_sale && !purpose.ccpa_sharing) {
      if (named) notApplicable.push(purpose.key);
      continue;
    }
    const status = standing.get(purpose.key)?.status ?? null;
    if (status === 'withdrawn' || status === 'denied') continue;
    if (status === 'granted' || purpose.legal_basis !== 'consent') plan.withdraw.push(purpose.key);
    else plan.deny.push(purpose.key);
  }
  return { plan, notApplicable };
}

/**
 * Which consent events an objection (GDPR Art. 21) or a CCPA opt-out records. An objection covers
 * purposes based on legitimate interests or public task (objected), and direct marketing based on consent
 * (the consent withdrawn); an opt-out covers purposes flagged as sale or sharing (withdrawn, or denied
 * where nothing was given yet). Without named purposes every such purpose is covered; a named purpose the
 * right does not apply to is refused. Purposes already stopped record nothing new.
 */
export function objectionPlan(
  kind: 'objection' | 'opt_out',
  purposes: readonly PurposeFacts[],
  standing: Map<string, StandingFacts>,
  named?: readonly string[],
): ObjectionPlan {
  const byKey = new Map(purposes.map((purpose) => [purpose.key, purpose]));
  const unknown = (named ?? []).filter((key) => !byKey.has(key));
  if (unknown.length > 0) {
    throw new AppError('validation_failed', 'Some purposes do not exist.', {
      errors: unknown.map((key) => ({
        in: 'body' as const,
        path: `purposes.${named?.indexOf(key)}`,
        message: 'is not a purpose',
      })),
    });
  }
  const candidates = named ? named.map((key) => byKey.get(key) as PurposeFacts) : [...purposes];
  const planned = (kind === 'objection' ? objectionPlanFor : optOutPlanFor)(
    candidates,
    standing,
    named !== undefined,
  );
  if (planned.notApplicable.length > 0) {
    throw new AppError(
      'objection_not_applicable',
      kind === 'objection'
        ? 'An objection applies to purposes based on legitimate interests or public task, and to direct marketing.'
        : 'An opt-out applies to purposes that sell or share personal information.',
      { extensions: { purposes: planned.notApplicable } },
    );
  }
  return planned.plan;
}

/**
 * When a plan is empty, why: no purpose (of those named, or at all) is one the right applies to, or every
 * such purpose was stopped already (a repeated request, or a retry after the consent events committed).
 */
export function whyNothingToStop(
  kind: 'objection' | 'opt_out',
  purposes: readonly PurposeFacts[],
  named?: readonly string[],
): NothingToStop {
  const candidates = named ? purposes.filter((purpose) => named.includes(purpose.key)) : purposes;
  const applies = (purpose: PurposeFacts) =>
    kind === 'opt_out'
      ? purpose.ccpa_sale || purpose.ccpa_sharing
      : objectable(purpose.legal_basis) ||
        (purpose.legal_basis === 'consent' && (named !== undefined || isDirectMarketing(purpose)));
  return candidates.some(applies) ? 'already_stopped' : 'no_applicable_purpose';
}

/** Check reasons an opt-in answers: nothing (valid) was given, or it was taken back or ran out. */
const optInFixes: readonly string[] = ['no_consent', 'withdrawn', 'expired', 'version_outdated'];

/**
 * Which sale or sharing purposes a CCPA opt-in (re-)grants: those a check refuses for want of a
 * current grant (never given, withdrawn, denied, expired, for an outdated version). Purposes already
 * allowed, and refusals an opt-in does not answer (an objection, a restriction), are left alone.
 */
export function optInPlan(purposes: readonly PurposeFacts[], standing: Map<string, StandingFacts>): string[] {
  return purposes
    .filter((purpose) => purpose.ccpa_sale || purpose.ccpa_sharing)
    .filter((purpose) => {
      const facts = standing.get(purpose.key);
      if (!facts) return purpose.legal_basis === 'consent';
      return facts.allowed === false && optInFixes.includes(facts.reason ?? '');
    })
    .map((purpose) => purpose.key);
}

type Deps = {
  db: Kysely<DB>;
  workflow: RequestWorkflow;
  steps: FulfilmentSteps;
  purposes: { list(): Promise<PurposeFacts[]> };
  /** The subject's standing choices (the consent module's checks). */
  standing: (subjectId: string) => Promise<
    {
      purpose: string;
      allowed?: boolean;
      reason?: string;
      choice?: { status: string | null; objectedAt: Date | null } | undefined;
    }[]
  >;
  /** Records consent events in the consent module's own transaction. */
  consent: {
    record(
      context: AuditContext,
      input: {
        subjectId: string;
        purposes: { key: string }[];
        action: RecordableAction;
        method: 'opt_out' | 'explicit_opt_in';
        source: ConsentSource;
        proof?: ProofInput | undefined;
      },
    ): Promise<unknown[]>;
  };
};

function sourceOf(row: RequestRow): ConsentSource {
  if (row.channel === 'drp') return 'drp';
  if (row.filed_by === 'agent') return 'agent';
  return row.channel === 'privacy_center' ? 'privacy_center' : 'api';
}

/**
 * Objection (GDPR Art. 21) and the CCPA opt-out of sale or sharing, recorded through the consent module:
 * checks deny the purposes afterwards (`objected`, `withdrawn` or `denied`). The consent events commit in
 * the consent module's transaction first; the request is then completed in its own. Repeating it after
 * a failure in between records nothing twice, because purposes already stopped are left alone.
 */
export function objection({ db, workflow, steps, purposes, standing, consent }: Deps) {
  async function standingOf(subjectId: string): Promise<Map<string, StandingFacts>> {
    return new Map(
      (await standing(subjectId)).map((view) => [
        view.purpose,
        {
          status: view.choice?.status ?? null,
          objected: Boolean(view.choice?.objectedAt),
          ...(view.allowed !== undefined ? { allowed: view.allowed } : {}),
          ...(view.reason !== undefined ? { reason: view.reason } : {}),
        },
      ]),
    );
  }

  async function object(
    context: AuditContext,
    requestId: string,
    input: {
      purposes?: string[] | undefined;
      note?: string | undefined;
      /** Where the request came from, kept with the consent events (a DRP request names itself). */
      proof?: ProofInput | undefined;
    },
  ): Promise<{ request: RequestView; recorded: ObjectionPlan; nothingToStop: NothingToStop | null }> {
    const before = await workflow.found(db, requestId);
    const subjectId = steps.assertFulfillable(before, 'objection');
    const kind = before.type === 'opt_out' ? 'opt_out' : 'objection';
    const catalog = await purposes.list();
    const choices = await standingOf(subjectId);
    const plan = objectionPlan(kind, catalog, choices, input.purposes);
    const source = sourceOf(before);
    for (const [action, keys] of [
      ['object', plan.object],
      ['withdraw', plan.withdraw],
      ['deny', plan.deny],
    ] as const) {
      if (keys.length === 0) continue;
      await consent.record(context, {
        subjectId,
        purposes: keys.map((key) => ({ key })),
        action,
        method: 'opt_out',
        source,
        proof: input.proof,
      });
    }
    const names = new Map(catalog.map((purpose) => [purpose.key, purpose.name]));
    const stopped = [...plan.object, ...plan.withdraw, ...plan.deny].map((key) => names.get(key) ?? key);
    // Nothing to stop still completes the request (a retry must), with the reason recorded and told.
    const nothing = stopped.length === 0 ? whyNothingToStop(kind, catalog, input.purposes) : null;
    const request = await workflow.inTransaction(context, async (work) => {
      const row = await workflow.locked(work.tx, requestId);
      steps.assertFulfillable(row, 'objection');
      const details = {
        objected: plan.object,
        withdrawn: plan.withdraw,
        denied: plan.deny,
        ...(nothing ? { nothingToStop: nothing } : {}),
      };
      await workflow.addEvent(work, context, row, { kind: 'objected', details });
      work.audit.push({
        action: 'request.objection.applied',
        outcome: 'success',
        target: { type: 'request', id: row.id },
        details: { ...details, subject: subjectId },
      });
      return steps.finish(work, context, row, {
        notice: (to) => objectionNotice(row, to, { stopped, optOut: kind === 'opt_out', nothing }),
        details: nothing ? { nothingToStop: nothing } : {},
        note: input.note,
      });
    });
    return { request: steps.view(request), recorded: plan, nothingToStop: nothing };
  }

  /**
   * A CCPA opt-in to sale or sharing (after an opt-out, Cal. Code Regs. tit. 11, § 7028): grants, by
   * explicit opt-in, every sale or sharing purpose a check refuses for want of a grant. Only for a
   * request the subject confirmed themselves (the two-step opt-in); recorded like an objection, the
   * consent events first, then the request completed.
   */
  async function optIn(
    context: AuditContext,
    requestId: string,
    input: { proof?: ProofInput | undefined; note?: string | undefined } = {},
  ): Promise<{ request: RequestView; granted: string[] }> {
    const before = await workflow.found(db, requestId);
    const subjectId = steps.assertFulfillable(before, 'opt_in');
    const catalog = await purposes.list();
    const granted = optInPlan(catalog, await standingOf(subjectId));
    if (granted.length > 0) {
      await consent.record(context, {
        subjectId,
        purposes: granted.map((key) => ({ key })),
        action: 'grant',
        method: 'explicit_opt_in',
        source: sourceOf(before),
        proof: input.proof,
      });
    }
    const names = new Map(catalog.map((purpose) => [purpose.key, purpose.name]));
    const started = granted.map((key) => names.get(key) ?? key);
    const request = await workflow.inTransaction(context, async (work) => {
      const row = await workflow.locked(work.tx, requestId);
      steps.assertFulfillable(row, 'opt_in');
      const details = { granted };
      await workflow.addEvent(work, context, row, { kind: 'opted_in', details });
      work.audit.push({
        action: 'request.opt_in.applied',
        outcome: 'success',
        target: { type: 'request', id: row.id },
        details: { ...details, subject: subjectId },
      });
      return steps.finish(work, context, row, {
        notice: (to) => optInNotice(row, to, { started }),
        note: input.note,
      });
    });
    return { request: steps.view(request), granted };
  }

  return { object, optIn };
}

export type Objection = ReturnType<typeof objection>;
