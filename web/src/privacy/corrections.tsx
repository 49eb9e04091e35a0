import { ApiError, InputError } from '../shared/api';
import { humanize, valueText } from '../shared/format';
import { Button, SelectField, TextField } from '../shared/ui';
import type { OwnRecord } from './types';

/** Types a subject can correct by typing a value (JSON fields are left to the privacy team). */
const correctableTypes = ['string', 'email', 'phone', 'date', 'datetime', 'number', 'boolean', 'address'];

const addressParts = [
  { key: 'line1', label: 'Address line 1', required: true },
  { key: 'line2', label: 'Address line 2', required: false },
  { key: 'postcode', label: 'Postcode', required: false },
  { key: 'city', label: 'City', required: true },
  { key: 'region', label: 'Region', required: false },
  { key: 'country', label: 'Country code (2 letters, e.g. DE)', required: true },
] as const;

/** A field of the subject's data they can pick, identified as `<record id>/<field name>`. */
export type CorrectableField = {
  id: string;
  recordId: string;
  name: string;
  type: string;
  label: string;
  current: unknown;
};

/** One row of the form: which field is wrong and what is right. */
export type CorrectionDraft = { field: string; value: string; address: Record<string, string> };

export const newCorrection = (): CorrectionDraft => ({ field: '', value: '', address: {} });

/** Every field of the subject's records they can correct, labelled as "My data" shows it. */
export function correctableFields(records: readonly OwnRecord[]): CorrectableField[] {
  return records.flatMap((record) =>
    record.fields
      .filter((field) => correctableTypes.includes(field.type))
      .map((field) => ({
        id: `${record.id}/${field.name}`,
        recordId: record.id,
        name: field.name,
        type: field.type,
        label: `${humanize(record.collection)} › ${field.description ?? humanize(field.name)}`,
        current: field.value,
      })),
  );
}

/** The typed value as the API takes it for the field's type; an InputError says what to fix. */
function valueFor(field: CorrectableField, draft: CorrectionDraft): unknown {
  if (field.type === 'address') {
    const parts = Object.fromEntries(
      Object.entries(draft.address)
        .map(([key, value]) => [key, value.trim()])
        .filter(([, value]) => value !== ''),
    );
    return { ...parts, ...(parts.country ? { country: String(parts.country).toUpperCase() } : {}) };
  }
  const text = draft.value.trim();
  if (text === '') throw new InputError(`Enter the correct value for “${field.label}”.`);
  if (field.type === 'number') {
    const number = Number(text);
    if (!Number.isFinite(number)) throw new InputError(`“${field.label}” must be a number.`);
    return number;
  }
  if (field.type === 'boolean') return text === 'true';
  if (field.type === 'datetime') {
    const at = new Date(text);
    if (Number.isNaN(at.getTime())) throw new InputError(`“${field.label}” must be a date and time.`);
    return at.toISOString();
  }
  return text;
}

/**
 * The corrections as the API takes them (`corrections` of `POST /v1/privacy/me/requests`): one entry per
 * record, with the corrected values by field. Also answers where each row went, to place errors.
 */
export function correctionsOf(
  drafts: readonly CorrectionDraft[],
  fields: readonly CorrectableField[],
): { corrections: { recordId: string; fields: Record<string, unknown> }[]; paths: string[] } {
  const byId = new Map(fields.map((field) => [field.id, field]));
  const corrections: { recordId: string; fields: Record<string, unknown> }[] = [];
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const draft of drafts) {
    const field = byId.get(draft.field);
    if (!field) throw new InputError('Choose which information is wrong.');
    if (seen.has(field.id)) throw new InputError(`You chose “${field.label}” twice.`);
    seen.add(field.id);
    let index = corrections.findIndex((correction) => correction.recordId === field.recordId);
    if (index < 0) {
      index = corrections.push({ recordId: field.recordId, fields: {} }) - 1;
    }
    (corrections[index] as { fields: Record<string, unknown> }).fields[field.name] = valueFor(field, draft);
    paths.push(`corrections.${index}.fields.${field.name}`);
  }
  return { corrections, paths };
}

/** The API's message for one row, when it named that field. */
export function rowError(error: unknown, path: string | undefined): string | undefined {
  if (!(error instanceof ApiError) || !path) return undefined;
  return error.errors.find((problem) => problem.path === path || problem.path.startsWith(`${path}.`))
    ?.message;
}

/** One correction: the field (from "My data") and its correct value, in an input that fits its type. */
export function CorrectionRow({
  index,
  draft,
  fields,
  onChange,
  onRemove,
  error,
}: {
  index: number;
  draft: CorrectionDraft;
  fields: readonly CorrectableField[];
  onChange: (draft: CorrectionDraft) => void;
  onRemove?: (() => void) | undefined;
  error?: string | undefined;
}) {
  const field = fields.find((item) => item.id === draft.field);
  const number = index + 1;
  return (
    <fieldset className="correction">
      <legend>Correction {number}</legend>
      <SelectField
        label="Which information is wrong?"
        value={draft.field}
        onChange={(event) => onChange({ ...newCorrection(), field: event.target.value })}
        options={[
          { value: '', label: 'Choose from your data…' },
          ...fields.map((item) => ({ value: item.id, label: item.label })),
        ]}
      />
      {field ? (
        <>
          <p className="purpose-meta">We hold: {valueText(field.current)}</p>
          <CorrectValue field={field} draft={draft} onChange={onChange} error={error} />
        </>
      ) : null}
      {onRemove ? (
        <div>
          <Button variant="ghost" onClick={onRemove}>
            Remove correction {number}
          </Button>
        </div>
      ) : null}
    </fieldset>
  );
}

function CorrectValue({
  field,
  draft,
  onChange,
  error,
}: {
  field: CorrectableField;
  draft: CorrectionDraft;
  onChange: (draft: CorrectionDraft) => void;
  error?: string | undefined;
}) {
  if (field.type === 'boolean') {
    return (
      <SelectField
        label="The correct value"
        value={draft.value}
        onChange={(event) => onChange({ ...draft, value: event.target.value })}
        options={[
          { value: '', label: 'Choose…' },
          { value: 'true', label: 'Yes' },
          { value: 'false', label: 'No' },
        ]}
        error={error}
      />
    );
  }
  if (field.type === 'address') {
    return (
      <div className="form-row">
        {addressParts.map((part) => (
          <TextField
            key={part.key}
            label={part.label}
            required={part.required}
            value={draft.address[part.key] ?? ''}
            onChange={(event) =>
              onChange({ ...draft, address: { ...draft.address, [part.key]: event.target.value } })
            }
            error={part.key === 'line1' ? error : undefined}
          />
        ))}
      </div>
    );
  }
  const inputType =
    field.type === 'email'
      ? 'email'
      : field.type === 'phone'
        ? 'tel'
        : field.type === 'date'
          ? 'date'
          : field.type === 'datetime'
            ? 'datetime-local'
            : field.type === 'number'
              ? 'number'
              : 'text';
  return (
    <TextField
      label="The correct value"
      type={inputType}
      required
      value={draft.value}
      onChange={(event) => onChange({ ...draft, value: event.target.value })}
      hint={field.type === 'phone' ? 'With the country code, e.g. +44 20 7946 0958.' : undefined}
      error={error}
    />
  );
}
