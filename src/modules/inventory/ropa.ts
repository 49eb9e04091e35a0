/**
 * The Record of Processing Activities (GDPR Art. 30) computed from the data map: the controller's
 * register (Art. 30(1) a–g) and, for activities the organization carries out for another controller,
 * the processor's register (Art. 30(2) a–d). One JSON shape; the CSV and the printed document are views
 * of it, so the three always say the same.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import { csvLine } from '../../lib/csv.js';
import type { DataMap, OrganizationProfile, Party } from './inventory-model.js';
import { mapIndex, type ResolvedActivity, type ResolvedTransfer, resolveAll } from './inventory-resolve.js';

export const ropaFormat = 'custos-ropa';

export type RopaTransfer = { country: string; recipients: string[]; safeguard: string | null };
export type RopaRetention = { name: string; period: string | null; scope: string };
export type RopaMeasure = { name: string; kind: string; description: string };

/**
 * The mechanisms a transfer rests on, in words, from the transfers module's register (adequacy as of
 * today, SCCs with their module, BCRs, derogations); null when it knows of none, and the activity's own
 * recorded safeguard stands.
 */
export type TransferSafeguardLookup = (country: string, via: ResolvedTransfer['via']) => string | null;

/** One activity of the controller's register; the letters are Art. 30(1)'s. */
export type ControllerRecord = {
  activityId: string;
  name: string;
  description: string;
  /** (a) controller, joint controllers, representative, DPO. */
  controller: {
    name: string;
    address: string;
    jointControllers: Party[];
    representative: Party | null;
    dpoContact: string;
  };
  /** (b) purposes of the processing, each with its legal basis. */
  purposes: { key: string; name: string; legalBasis: string | null }[];
  /** (c) categories of data subjects and of personal data. */
  dataSubjects: string[];
  dataCategories: string[];
  /** (d) recipients: processors by name and country, and categories of recipients. */
  recipients: { name: string; country: string; role: string }[];
  recipientCategories: string[];
  /** (e) transfers to third countries and their safeguards. */
  transfers: RopaTransfer[];
  /** (f) time limits for erasure. */
  retention: RopaRetention[];
  retentionNote: string;
  /** (g) technical and organisational security measures. */
  securityMeasures: RopaMeasure[];
};

/** One activity of the processor's register; the letters are Art. 30(2)'s. */
export type ProcessorRecord = {
  activityId: string;
  name: string;
  description: string;
  /** (a) the processor (the organization), the controller served, their representative, the DPO. */
  processor: { name: string; address: string; representative: Party | null; dpoContact: string };
  controller: Party | null;
  jointControllers: Party[];
  /** (b) categories of processing carried out on behalf of the controller. */
  categoriesOfProcessing: string[];
  dataCategories: string[];
  /** Those receiving the data from the processor: sub-processors and others. */
  subProcessors: { name: string; country: string; role: string }[];
  /** (c) transfers to third countries and their safeguards. */
  transfers: RopaTransfer[];
  /** (d) technical and organisational security measures. */
  securityMeasures: RopaMeasure[];
};

export type Ropa = {
  format: typeof ropaFormat;
  /** The first 12 hex digits of the SHA-256 of the registers' canonical JSON (see `ropaVersion`). */
  version: string;
  generatedAt: string;
  organization: Omit<OrganizationProfile, 'updatedAt'>;
  controllerRegister: ControllerRecord[];
  processorRegister: ProcessorRecord[];
  counts: { activities: number; controllerActivities: number; processorActivities: number };
};

function organizationOf(map: DataMap): Ropa['organization'] {
  const { updatedAt: _updatedAt, ...organization } = map.organization;
  return organization;
}

function transfersOf(resolved: ResolvedActivity, safeguardOf?: TransferSafeguardLookup): RopaTransfer[] {
  return resolved.transfers.map((transfer) => ({
    country: transfer.country,
    recipients: transfer.via.map((via) => via.name),
    safeguard: safeguardOf?.(transfer.country, transfer.via) ?? transfer.safeguard,
  }));
}

function measuresOf(resolved: ResolvedActivity): RopaMeasure[] {
  return resolved.measures.map((measure) => ({
    name: measure.name,
    kind: measure.kind,
    description: measure.description,
  }));
}

function recipientsOf(resolved: ResolvedActivity): ControllerRecord['recipients'] {
  return resolved.recipients.map((recipient) => ({
    name: recipient.name,
    country: recipient.country,
    role: recipient.role,
  }));
}

function controllerRecord(
  map: DataMap,
  resolved: ResolvedActivity,
  safeguardOf?: TransferSafeguardLookup,
): ControllerRecord {
  const { activity } = resolved;
  return {
    activityId: activity.id,
    name: activity.name,
    description: activity.description,
    controller: {
      name: map.organization.controllerName,
      address: map.organization.address,
      jointControllers: activity.jointControllers,
      representative: map.organization.representative,
      dpoContact: map.organization.dpoContact,
    },
    purposes: resolved.purposes.map(({ key, name, legalBasis }) => ({ key, name, legalBasis })),
    dataSubjects: resolved.dataSubjects.map((subject) => subject.value),
    dataCategories: resolved.dataCategories.map((category) => category.value),
    recipients: recipientsOf(resolved),
    recipientCategories: resolved.recipientCategories,
    transfers: transfersOf(resolved, safeguardOf),
    retention: resolved.retention.map(({ name, period, scope }) => ({ name, period, scope })),
    retentionNote: resolved.retentionNote,
    securityMeasures: measuresOf(resolved),
  };
}

/** Art. 30(2)(b): what is done for the controller, in the words of the activity and its purposes. */
function categoriesOfProcessing(resolved: ResolvedActivity): string[] {
  const named = resolved.purposes.map((purpose) => purpose.name);
  return named.length > 0 ? named : [resolved.activity.name];
}

function processorRecord(
  map: DataMap,
  resolved: ResolvedActivity,
  safeguardOf?: TransferSafeguardLookup,
): ProcessorRecord {
  const { activity } = resolved;
  return {
    activityId: activity.id,
    name: activity.name,
    description: activity.description,
    processor: {
      name: map.organization.controllerName,
      address: map.organization.address,
      representative: map.organization.representative,
      dpoContact: map.organization.dpoContact,
    },
    controller: activity.controller,
    jointControllers: activity.jointControllers,
    categoriesOfProcessing: categoriesOfProcessing(resolved),
    dataCategories: resolved.dataCategories.map((category) => category.value),
    subProcessors: recipientsOf(resolved),
    transfers: transfersOf(resolved, safeguardOf),
    securityMeasures: measuresOf(resolved),
  };
}

/**
 * The version printed on the RoPA: a hash of what it says (organization and both registers, not the
 * time it was made). Two copies with the same version say the same; any change to the register, derived
 * or typed in, gives a new one; no counter to keep in step across instances.
 */
export function ropaVersion(
  content: Pick<Ropa, 'organization' | 'controllerRegister' | 'processorRegister'>,
): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 12);
}

/** The RoPA of a data map, activities sorted by name; transfers' safeguards from the register when given. */
export function buildRopa(map: DataMap, safeguardOf?: TransferSafeguardLookup): Ropa {
  const resolved = resolveAll(mapIndex(map)).sort((a, b) => a.activity.name.localeCompare(b.activity.name));
  const controllerRegister = resolved
    .filter((entry) => entry.activity.role === 'controller')
    .map((entry) => controllerRecord(map, entry, safeguardOf));
  const processorRegister = resolved
    .filter((entry) => entry.activity.role === 'processor')
    .map((entry) => processorRecord(map, entry, safeguardOf));
  const organization = organizationOf(map);
  return {
    format: ropaFormat,
    version: ropaVersion({ organization, controllerRegister, processorRegister }),
    generatedAt: map.generatedAt.toISOString(),
    organization,
    controllerRegister,
    processorRegister,
    counts: {
      activities: resolved.length,
      controllerActivities: controllerRegister.length,
      processorActivities: processorRegister.length,
    },
  };
}

export const ropaCsvColumns = [
  'register',
  'activity_id',
  'name',
  'description',
  'controller',
  'joint_controllers',
  'representative',
  'dpo',
  'purposes',
  'categories_of_processing',
  'data_subjects',
  'data_categories',
  'recipients',
  'recipient_categories',
  'transfers',
  'retention',
  'security_measures',
] as const;

/** Several values in one cell: joined by `; `, the separator a spreadsheet user splits on. */
function joined(values: readonly string[]): string {
  return values.join('; ');
}

function party(value: Party | null): string {
  return value ? `${value.name} <${value.contact}>` : '';
}

function transfersCell(transfers: RopaTransfer[]): string {
  return joined(
    transfers.map(
      (transfer) =>
        `${transfer.country} (${transfer.recipients.join(', ')}): ${transfer.safeguard ?? 'no safeguard recorded'}`,
    ),
  );
}

function measuresCell(measures: RopaMeasure[]): string {
  return joined(measures.map((measure) => `${measure.name} (${measure.kind})`));
}

function recipientsCell(recipients: ControllerRecord['recipients']): string {
  return joined(recipients.map((recipient) => `${recipient.name} (${recipient.role}, ${recipient.country})`));
}

function controllerRow(record: ControllerRecord): string {
  const retention = record.retention.map((entry) => `${entry.name}: ${entry.period ?? 'policy period'}`);
  if (record.retentionNote) retention.push(record.retentionNote);
  return csvLine([
    'controller',
    record.activityId,
    record.name,
    record.description,
    `${record.controller.name}, ${record.controller.address}`,
    joined(record.controller.jointControllers.map(party)),
    party(record.controller.representative),
    record.controller.dpoContact,
    joined(record.purposes.map((purpose) => `${purpose.name} (${purpose.legalBasis ?? 'no legal basis'})`)),
    '',
    joined(record.dataSubjects),
    joined(record.dataCategories),
    recipientsCell(record.recipients),
    joined(record.recipientCategories),
    transfersCell(record.transfers),
    joined(retention),
    measuresCell(record.securityMeasures),
  ]);
}

function processorRow(record: ProcessorRecord): string {
  return csvLine([
    'processor',
    record.activityId,
    record.name,
    record.description,
    party(record.controller),
    joined(record.jointControllers.map(party)),
    party(record.processor.representative),
    record.processor.dpoContact,
    '',
    joined(record.categoriesOfProcessing),
    '',
    joined(record.dataCategories),
    recipientsCell(record.subProcessors),
    '',
    transfersCell(record.transfers),
    '',
    measuresCell(record.securityMeasures),
  ]);
}

/** The RoPA as CSV: a header, then one row per activity (controller's register first). */
export function ropaCsv(ropa: Ropa): string {
  return [
    `${ropaCsvColumns.join(',')}\r\n`,
    ...ropa.controllerRegister.map(controllerRow),
    ...ropa.processorRegister.map(processorRow),
  ].join('');
}
