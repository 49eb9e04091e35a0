import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AlertRow } from '../alerts/alert-store.js';
import type { ExposureQuery, SubjectExposure } from '../audit/audit-exposures.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { CollectionDefinitions, Definitions } from './breach-protection.js';
import type { BreachRegister, BreachWork } from './breach-register.js';
import type { BlastRadiusInput, BreachFacts } from './breach-schemas.js';
import type { BreachStore } from './breach-store.js';

type Deps = {
  store: BreachStore;
  register: BreachRegister;
  audit: Pick<AuditWriter, 'record'>;
  clock: Clock;
  /** The audit module's exposure query and its hashing of client networks. */
  exposures: (query: ExposureQuery) => Promise<SubjectExposure[]>;
  networkRefs: (cidr: string) => string[];
  collections: CollectionDefinitions;
  alert: (
    id: string,
  ) => Promise<
    Pick<AlertRow, 'id' | 'kind' | 'summary' | 'target_type' | 'target_id' | 'first_seen_at' | 'details'>
  >;
  /** How far before an alert was first seen its window starts (the reveal window it counted in). */
  settings: { alertLookbackMs: number };
};

/** What a blast radius found: counts, the fields and data categories exposed, how, and the first subjects. */
export type BlastRadiusSummary = {
  subjects: number;
  entries: number;
  kinds: Record<string, number>;
  fields: string[];
  categories: string[];
  sample: string[];
};

const sampleSize = 100;

function queryOf(input: BlastRadiusInput, networkRefs: (cidr: string) => string[], now: Date): ExposureQuery {
  const window = { from: new Date(input.from), until: input.until ? new Date(input.until) : now };
  if (window.from.getTime() >= window.until.getTime()) {
    throw new AppError(
      'validation_failed',
      'The window must end after it starts (`until` is now when left out).',
      {
        errors: [{ in: 'body', path: 'from', message: 'must be before until' }],
      },
    );
  }
  const { source } = input;
  if (source.kind === 'principal') return { principal: { type: source.type, id: source.id }, ...window };
  return { networks: networkRefs(source.range), ...window };
}

/**
 * The blast radius: from the audit trail, every subject whose data a compromised principal or network was
 * handed in a window, with the fields and data categories involved, attached to a breach as its affected
 * set. Custos knows only what passed through it: what an attacker did with direct database access, or
 * with data already copied elsewhere, is not in its audit trail.
 */
export function blastRadius({
  store,
  register,
  audit,
  clock,
  exposures,
  networkRefs,
  collections,
  alert,
  settings,
}: Deps) {
  function categoriesOf(fields: readonly string[], known: Definitions): string[] {
    const definitions = new Map(known.map((collection) => [collection.name, collection.fields]));
    const categories = new Set<string>();
    for (const qualified of fields) {
      const [collection = '', field] = qualified.split('.');
      const definition = definitions.get(collection)?.find((candidate) => candidate.name === field);
      if (definition) categories.add(definition.category);
    }
    return [...categories].sort();
  }

  function summarize(found: SubjectExposure[], known: Definitions): BlastRadiusSummary {
    const fields = new Set<string>();
    const kinds: Record<string, number> = {};
    let entries = 0;
    for (const exposure of found) {
      for (const field of exposure.fields) fields.add(field);
      for (const kind of exposure.kinds) kinds[kind] = (kinds[kind] ?? 0) + 1;
      entries += exposure.entries;
    }
    const sorted = [...fields].sort();
    return {
      subjects: found.length,
      entries,
      kinds,
      fields: sorted,
      categories: categoriesOf(sorted, known),
      sample: found.slice(0, sampleSize).map((exposure) => exposure.subjectId),
    };
  }

  /** What the audit entry and the timeline say of the source: its kind, never the id or range. */
  function sourceOf(query: ExposureQuery) {
    return 'principal' in query ? { principal: query.principal.type } : { networks: query.networks.length };
  }

  /** Computes the blast radius without attaching it (audited: it reads the audit trail by principal). */
  async function preview(context: AuditContext, input: BlastRadiusInput): Promise<BlastRadiusSummary> {
    const query = queryOf(input, networkRefs, clock.now());
    const summary = summarize(await exposures(query), await collections());
    await audit.record(context, {
      action: 'breach.blast_radius.computed',
      outcome: 'success',
      details: { ...sourceOf(query), subjects: summary.subjects, entries: summary.entries },
    });
    return summary;
  }

  /** Adds what was found to the breach's affected set and brings its counts and categories up to date. */
  async function attachWithin(
    work: BreachWork,
    query: ExposureQuery,
    found: SubjectExposure[],
    known: Definitions,
  ) {
    const { tx, now, breach, record } = work;
    await store.mergeAffected(
      tx,
      found.map((exposure) => ({
        breach_id: breach.id,
        subject_id: exposure.subjectId,
        fields: exposure.fields,
        actions: exposure.kinds,
        entries: exposure.entries,
        first_at: exposure.firstAt,
        last_at: exposure.lastAt,
      })),
    );
    const affected = await store.affectedSummary(tx, breach.id);
    const facts = breach.facts as BreachFacts;
    const categories = new Set([...(facts.dataCategories ?? []), ...categoriesOf(affected.fields, known)]);
    await store.update(tx, breach.id, {
      facts: JSON.stringify({
        ...facts,
        subjectsCount: affected.subjects,
        subjectsApproximate: false,
        dataCategories: [...categories].sort(),
      }),
      updated_at: now,
    });
    await record('affected_set_attached', {
      fields: ['facts.subjectsCount', 'facts.dataCategories'],
      details: { ...sourceOf(query), found: found.length, subjects: affected.subjects },
    });
  }

  /** Computes the blast radius and attaches it to the breach as (part of) its affected set. */
  async function attach(context: AuditContext, breachId: string, input: BlastRadiusInput) {
    const query = queryOf(input, networkRefs, clock.now());
    const found = await exposures(query);
    const known = await collections();
    return register.change(context, breachId, async (work) => {
      if (work.breach.status === 'dismissed') {
        throw new AppError('invalid_transition', 'This breach was dismissed; it takes no affected set.');
      }
      await attachWithin(work, query, found, known);
      return summarize(found, known);
    });
  }

  /** What an alert says was exposed, as an exposure query: its principal or network, up to now. */
  function queryFromAlert(found: Awaited<ReturnType<typeof alert>>): ExposureQuery {
    // A monitoring alert names the hour it scored: the window starts there at the latest.
    const lookback = found.first_seen_at.getTime() - settings.alertLookbackMs;
    const hour = typeof found.details?.hour === 'string' ? Date.parse(found.details.hour) : Number.NaN;
    const window = {
      from: new Date(Number.isNaN(hour) ? lookback : Math.min(hour, lookback)),
      until: new Date(clock.now().getTime() + 1),
    };
    if ((found.target_type === 'operator' || found.target_type === 'api_key') && found.target_id) {
      return { principal: { type: found.target_type, id: found.target_id }, ...window };
    }
    // A network alert carries the network's keyed hash, as audit entries do: it is queried as it is.
    if (found.target_type === 'client_network' && found.target_id)
      return { networks: [found.target_id], ...window };
    throw new AppError('unprocessable', 'This alert names no operator, API key or client network to trace.');
  }

  /** Opens a breach from an alert (exfiltration, mass reveal), with its blast radius as the affected set. */
  async function fromAlert(context: AuditContext, alertId: string, title?: string) {
    const found = await alert(alertId);
    const query = queryFromAlert(found);
    const exposed = await exposures(query);
    const known = await collections();
    return register.create(
      context,
      {
        title: title ?? `Breach from alert: ${found.kind}`,
        awareAt: clock.now(),
        discovery: 'alert',
        alertId: found.id,
        facts: { nature: ['confidentiality'], description: found.summary },
      },
      (work) => attachWithin(work, query, exposed, known),
    );
  }

  return { preview, attach, fromAlert };
}

export type BlastRadius = ReturnType<typeof blastRadius>;
