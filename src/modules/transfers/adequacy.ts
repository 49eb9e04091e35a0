/**
 * Adequacy decisions as data (GDPR Art. 45): the shipped list in `reference/eu-adequacy.json`, with its
 * sources and last-reviewed date, merged with the operator's overrides (an entry with a shipped id
 * replaces it or, revoked, removes it; a new id adds one). A decision is weighed as of the transfer's date:
 * in force from `inForce` through `endsOn` (inclusive), so a check dated before Brazil's decision finds
 * none, and one after the UK's end date finds none unless a renewal is in the data.
 */
import { z } from 'zod';
import euAdequacy from './reference/eu-adequacy.json' with { type: 'json' };

/** The regimes whose transfer rules the data is keyed by; only the EU list ships today. */
export const regimes = ['EU', 'UK', 'CH'] as const;
export type Regime = (typeof regimes)[number];

/** International organisations that may be a destination (Art. 45(1): "or an international organisation"). */
export const internationalOrganisations: Readonly<Record<string, string>> = {
  EPO: 'European Patent Organisation',
};

const ZIsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const ZAdequacyScope = z.object({
  /** A stable code a recipient's confirmation names (e.g. `eu_us_dpf`). */
  code: z.string().min(1).max(64),
  text: z.string().min(1).max(1000),
  /** Whether the recipient must be confirmed within the scope (DPF certification) before the decision covers it. */
  mustBeConfirmed: z.boolean(),
});
export type AdequacyScope = z.output<typeof ZAdequacyScope>;

export const ZAdequacyDecision = z.object({
  id: z.string().min(1).max(64),
  destination: z.string().min(2).max(8),
  name: z.string().min(1).max(200),
  kind: z.enum(['country', 'territory', 'sector', 'international_organisation']),
  instrument: z.string().min(1).max(500),
  inForce: ZIsoDate,
  endsOn: ZIsoDate.nullable(),
  scope: ZAdequacyScope.nullable(),
  source: z.string().min(1).max(500),
});
export type AdequacyDecision = z.output<typeof ZAdequacyDecision> & {
  regime: Regime;
  /** `shipped` from the reference file, or `override` when an operator's entry replaced or added it. */
  origin: 'shipped' | 'override';
};

const ZReferenceFile = z.object({
  regime: z.enum(regimes),
  title: z.string(),
  lastReviewed: ZIsoDate,
  license: z.string(),
  sources: z.array(z.string()),
  dateConvention: z.string(),
  decisions: z.array(ZAdequacyDecision),
});

export type ReferenceInfo = Omit<z.output<typeof ZReferenceFile>, 'decisions'>;

/** The shipped file, checked once at load: a malformed file stops the start rather than answering wrong. */
const reference = ZReferenceFile.parse(euAdequacy);

export const shippedReference: ReferenceInfo = {
  regime: reference.regime,
  title: reference.title,
  lastReviewed: reference.lastReviewed,
  license: reference.license,
  sources: reference.sources,
  dateConvention: reference.dateConvention,
};

export const shippedDecisions: readonly AdequacyDecision[] = reference.decisions.map((decision) => ({
  ...decision,
  regime: reference.regime,
  origin: 'shipped',
}));

/** An operator's entry: a decision to add or replace, or (revoked) one to remove. */
export type AdequacyOverride = AdequacyDecision & { revoked: boolean };

/** The shipped list with the operator's overrides applied, by id. */
export function mergeDecisions(
  shipped: readonly AdequacyDecision[],
  overrides: readonly AdequacyOverride[],
): AdequacyDecision[] {
  const byId = new Map(shipped.map((decision) => [decision.id, decision]));
  for (const { revoked, ...override } of overrides) {
    if (revoked) byId.delete(override.id);
    else byId.set(override.id, { ...override, origin: 'override' });
  }
  return [...byId.values()].sort(
    (a, b) => a.destination.localeCompare(b.destination) || a.inForce.localeCompare(b.inForce),
  );
}

/** What the list says of a destination on a date. */
export type AdequacyFinding =
  | { status: 'in_force'; decision: AdequacyDecision }
  | { status: 'not_yet_in_force'; decision: AdequacyDecision }
  | { status: 'ended'; decision: AdequacyDecision }
  | { status: 'none' };

/** Whether a decision applies on `date` (YYYY-MM-DD): from `inForce` through `endsOn`. */
export function inForceOn(decision: AdequacyDecision, date: string): boolean {
  return decision.inForce <= date && (decision.endsOn === null || date <= decision.endsOn);
}

/**
 * The decision covering `destination` on `date`; failing that, the one that ended last or the next to
 * come, so the answer can say why there is none.
 */
export function adequacyOn(
  decisions: readonly AdequacyDecision[],
  destination: string,
  date: string,
): AdequacyFinding {
  const forDestination = decisions.filter((decision) => decision.destination === destination);
  const current = forDestination.find((decision) => inForceOn(decision, date));
  if (current) return { status: 'in_force', decision: current };
  const ended = forDestination
    .filter((decision) => decision.endsOn !== null && decision.endsOn < date)
    .sort((a, b) => (b.endsOn ?? '').localeCompare(a.endsOn ?? ''))[0];
  if (ended) return { status: 'ended', decision: ended };
  const upcoming = forDestination
    .filter((decision) => decision.inForce > date)
    .sort((a, b) => a.inForce.localeCompare(b.inForce))[0];
  if (upcoming) return { status: 'not_yet_in_force', decision: upcoming };
  return { status: 'none' };
}
