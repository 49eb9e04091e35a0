/**
 * Findings: gaps in the data map that a privacy team must close, computed from the map every time it is
 * read and never typed in, so a finding clears itself once what it asks for is done. Each has a stable
 * `kind` (clients and the console key on it), a severity, what it is about, and what to do.
 * Everything is looked up by key in one pass over the map: linear in its size.
 */
import type { Classification } from '../vault/collection-schema.js';
import type { ActivityEntry, DataMap, ProcessorEntry, SystemEntry } from './inventory-model.js';
import {
  type MapIndex,
  mapIndex,
  type ResolvedActivity,
  resolveAll,
  systemCategories,
} from './inventory-resolve.js';

export const findingKinds = {
  undeclared_data_category: {
    severity: 'medium',
    description: 'A collection holds a data category that no processing activity declares.',
  },
  activity_without_legal_basis: {
    severity: 'high',
    description: 'An activity of the controller has no purpose, or a purpose without a legal basis.',
  },
  consent_purpose_without_activity: {
    severity: 'low',
    description: 'A purpose based on consent that no processing activity uses.',
  },
  transfer_without_safeguard: {
    severity: 'high',
    description:
      'A system or processor outside the organization’s country and the EEA without a recorded safeguard.',
  },
  processor_dpa_missing: {
    severity: 'high',
    description: 'A processor receiving personal data without a data processing agreement (Art. 28(3)).',
  },
  processor_dpa_expired: {
    severity: 'high',
    description:
      'A processor receiving personal data whose data processing agreement is past its review date.',
  },
  unencrypted_sensitive_data: {
    severity: 'high',
    description:
      'Data that must be encrypted (by the asset’s setting or classification) stored in clear by Custos.',
  },
  activity_without_retention: {
    severity: 'medium',
    description: 'An activity without a retention period: no policy covers its data and no period is noted.',
  },
} as const satisfies Record<string, { severity: FindingSeverity; description: string }>;

export type FindingSeverity = 'high' | 'medium' | 'low';
export type FindingKind = keyof typeof findingKinds;
export const findingKindNames = Object.keys(findingKinds) as [FindingKind, ...FindingKind[]];

export type FindingSubject = {
  type: 'collection' | 'activity' | 'purpose' | 'system' | 'processor';
  id: string;
  name: string;
};

export type Finding = {
  /** Stable while the finding lasts: kind, subject and what it concerns. */
  id: string;
  kind: FindingKind;
  severity: FindingSeverity;
  subject: FindingSubject;
  message: string;
  /** What to do to clear it. */
  action: string;
  /** The keys, field names, countries or ids it concerns (never values). */
  concerns: string[];
};

function finding(
  kind: FindingKind,
  subject: FindingSubject,
  message: string,
  action: string,
  concerns: string[] = [],
): Finding {
  return {
    id: [kind, subject.type, subject.id, ...concerns].join(':'),
    kind,
    severity: findingKinds[kind].severity,
    subject,
    message,
    action,
    concerns,
  };
}

const activitySubject = (activity: ActivityEntry): FindingSubject => ({
  type: 'activity',
  id: activity.id,
  name: activity.name,
});
const systemSubject = (system: SystemEntry): FindingSubject => ({
  type: system.origin === 'collection' ? 'collection' : 'system',
  id: system.id,
  name: system.name,
});
const processorSubject = (processor: ProcessorEntry): FindingSubject => ({
  type: 'processor',
  id: processor.id,
  name: processor.name,
});

/** True when the category or one of its ancestors is in `declared`: a declared `user.contact` covers `user.contact.email`. */
function isDeclared(category: string, declared: ReadonlySet<string>): boolean {
  for (let end = category.length; end > 0; end = category.lastIndexOf('.', end - 1)) {
    if (declared.has(category.slice(0, end))) return true;
  }
  return false;
}

function undeclaredCategories(map: DataMap, resolved: ResolvedActivity[]): Finding[] {
  const declared = new Set(
    resolved.flatMap((entry) => entry.dataCategories.map((category) => category.value)),
  );
  return map.systems
    .filter((system) => system.origin === 'collection')
    .flatMap((collection) =>
      systemCategories(collection)
        .filter((category) => !isDeclared(category, declared))
        .map((category) =>
          finding(
            'undeclared_data_category',
            systemSubject(collection),
            `Collection ${collection.name} holds ${category}, which no processing activity declares.`,
            'Link the collection to the processing activities that use it, or add the category to one; if nothing uses it, remove the field.',
            [category],
          ),
        ),
    );
}

function activitiesWithoutLegalBasis(resolved: ResolvedActivity[]): Finding[] {
  return resolved
    .filter((entry) => entry.activity.role === 'controller')
    .flatMap(({ activity, purposes }) => {
      if (purposes.length === 0)
        return [
          finding(
            'activity_without_legal_basis',
            activitySubject(activity),
            `Activity ${activity.name} has no purpose, so no legal basis.`,
            'Link the activity to the purposes it serves; each purpose carries its legal basis (Art. 6).',
          ),
        ];
      const lacking = purposes.filter((purpose) => purpose.legalBasis === null).map((purpose) => purpose.key);
      if (lacking.length === 0) return [];
      return [
        finding(
          'activity_without_legal_basis',
          activitySubject(activity),
          `Activity ${activity.name} has purposes without a legal basis: ${lacking.join(', ')}.`,
          'Give those purposes a legal basis, or link the activity to purposes that have one.',
          lacking,
        ),
      ];
    });
}

function unusedConsentPurposes(map: DataMap): Finding[] {
  const used = new Set(map.activities.flatMap((activity) => activity.purposeKeys));
  return map.purposes
    .filter((purpose) => purpose.legalBasis === 'consent' && !used.has(purpose.key))
    .map((purpose) =>
      finding(
        'consent_purpose_without_activity',
        { type: 'purpose', id: purpose.key, name: purpose.name },
        `Consent is collected for ${purpose.name}, but no processing activity uses it.`,
        'Link the purpose to the processing activity that uses the consent, or retire the purpose.',
      ),
    );
}

/** A system or processor in a third country, and the activities sending it data with no safeguard. */
type Unguarded = { subject: FindingSubject; country: string; activities: string[] };

/**
 * Systems and processors in third countries, each with the activities whose data reaches it there and
 * record no safeguard for that country. One that no activity reaches has no safeguard recorded anywhere.
 */
function transfersWithoutSafeguard(map: DataMap, resolved: ResolvedActivity[], index: MapIndex): Finding[] {
  const subjectOf = (type: 'system' | 'processor', id: string): FindingSubject | undefined => {
    const system = type === 'system' ? index.systems.get(id) : undefined;
    const processor = type === 'processor' ? index.processors.get(id) : undefined;
    return system ? systemSubject(system) : processor ? processorSubject(processor) : undefined;
  };
  const unguarded = new Map<string, Unguarded>();
  const reached = new Set<string>();
  for (const { activity, transfers } of resolved) {
    for (const transfer of transfers) {
      for (const via of transfer.via) {
        const key = `${via.type}:${via.id}:${transfer.country}`;
        reached.add(key);
        const subject = subjectOf(via.type, via.id);
        if (transfer.safeguard !== null || !subject) continue;
        const entry = unguarded.get(key) ?? { subject, country: transfer.country, activities: [] };
        entry.activities.push(activity.name);
        unguarded.set(key, entry);
      }
    }
  }
  const located = [
    ...map.systems.flatMap((system) =>
      system.locations.map((country) => ({ type: 'system' as const, id: system.id, country })),
    ),
    ...map.processors.map((processor) => ({
      type: 'processor' as const,
      id: processor.id,
      country: processor.country,
    })),
  ];
  for (const { type, id, country } of located) {
    const code = country.toUpperCase();
    const key = `${type}:${id}:${code}`;
    const subject = subjectOf(type, id);
    if (subject && index.isThirdCountry(code) && !reached.has(key))
      unguarded.set(key, { subject, country: code, activities: [] });
  }
  return [...unguarded.values()].map(({ subject, country, activities }) =>
    finding(
      'transfer_without_safeguard',
      subject,
      activities.length > 0
        ? `${subject.name} in ${country} receives data of ${activities.join(', ')} with no safeguard recorded for ${country}.`
        : `${subject.name} is in ${country}, outside the organization’s country and the EEA, and no activity records a safeguard for it.`,
      `Record the safeguard the transfer to ${country} relies on (adequacy decision, standard contractual clauses, binding corporate rules) on each activity, or keep the data inside the EEA.`,
      [country],
    ),
  );
}

/** Processors (and sub-processors) that receive data: through an activity, or by operating a system. */
function processorsWithoutValidDpa(map: DataMap, resolved: ResolvedActivity[], today: string): Finding[] {
  const receiving = new Set(
    resolved.flatMap((entry) => entry.recipients.map((recipient) => recipient.processorId)),
  );
  for (const system of map.systems) if (system.processorId) receiving.add(system.processorId);
  for (const processor of map.processors) if (processor.systemIds.length > 0) receiving.add(processor.id);
  return map.processors
    .filter((processor) => processor.role === 'processor' || processor.role === 'sub_processor')
    .filter((processor) => receiving.has(processor.id))
    .flatMap((processor) => {
      if (!processor.dpa)
        return [
          finding(
            'processor_dpa_missing',
            processorSubject(processor),
            `${processor.name} receives personal data without a data processing agreement.`,
            'Sign a data processing agreement (Art. 28(3)) and record its date, version, review date and where it is kept.',
          ),
        ];
      if (processor.dpa.reviewAt !== null && processor.dpa.reviewAt < today)
        return [
          finding(
            'processor_dpa_expired',
            processorSubject(processor),
            `The data processing agreement with ${processor.name} was due for review on ${processor.dpa.reviewAt}.`,
            'Review the agreement with the processor and record the new version and review date.',
            [processor.dpa.reviewAt],
          ),
        ];
      return [];
    });
}

const mustBeSealed: ReadonlySet<Classification> = new Set(['confidential', 'restricted']);

function unencryptedSensitiveData(map: DataMap): Finding[] {
  return map.systems
    .filter((system) => system.fields !== null)
    .flatMap((system) => {
      const assetDemands = system.encryptionRequired || mustBeSealed.has(system.classification);
      const inClear = (system.fields ?? [])
        .filter((field) => !field.encrypted && (assetDemands || mustBeSealed.has(field.classification)))
        .map((field) => field.name);
      if (inClear.length === 0) return [];
      return [
        finding(
          'unencrypted_sensitive_data',
          systemSubject(system),
          `${system.name} must be encrypted, but Custos stores ${inClear.join(', ')} in clear.`,
          'Classify those fields as internal, confidential or restricted so Custos seals them (public fields are stored in clear), or lower the asset’s classification if the data is public.',
          inClear,
        ),
      ];
    });
}

function activitiesWithoutRetention(resolved: ResolvedActivity[]): Finding[] {
  return resolved
    .filter((entry) => entry.retention.length === 0 && entry.retentionNote === '')
    .map(({ activity }) =>
      finding(
        'activity_without_retention',
        activitySubject(activity),
        `Activity ${activity.name} has no retention period.`,
        'Add a retention policy for its collections or data categories, or note the period (e.g. “until the contract ends”) on the activity.',
      ),
    );
}

const severityOrder: Record<FindingSeverity, number> = { high: 0, medium: 1, low: 2 };

/** Every finding of the map, most severe first, then by kind and subject name. */
export function computeFindings(map: DataMap): Finding[] {
  const index = mapIndex(map);
  const resolved = resolveAll(index);
  const today = map.generatedAt.toISOString().slice(0, 10);
  return [
    ...undeclaredCategories(map, resolved),
    ...activitiesWithoutLegalBasis(resolved),
    ...unusedConsentPurposes(map),
    ...transfersWithoutSafeguard(map, resolved, index),
    ...processorsWithoutValidDpa(map, resolved, today),
    ...unencryptedSensitiveData(map),
    ...activitiesWithoutRetention(resolved),
  ].sort(
    (a, b) =>
      severityOrder[a.severity] - severityOrder[b.severity] ||
      a.kind.localeCompare(b.kind) ||
      a.subject.name.localeCompare(b.subject.name),
  );
}
