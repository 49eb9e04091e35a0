import { type FormEvent, useId, useState } from 'react';
import { ApiError, InputError } from '../shared/api';
import { humanize } from '../shared/format';
import { useAction } from '../shared/hooks';
import { Alert, Button, CheckboxField, ErrorAlert, SelectField, TextField } from '../shared/ui';
import { useSignedIn } from './session';
import { TaxonomyOptions, termFor, useTaxonomy } from './taxonomy';
import type { Collection, FieldDefinition } from './types';

export const fieldTypes = [
  'string',
  'email',
  'phone',
  'date',
  'datetime',
  'number',
  'boolean',
  'address',
  'json',
];
export const classifications = ['public', 'internal', 'confidential', 'restricted'];
/** Types whose value can be kept in a blind index for exact-match search. */
const indexableTypes = ['string', 'email', 'phone'];

type Masking = NonNullable<FieldDefinition['masking']> & Record<string, unknown>;

/** How a field is shown to readers who may not see it in clear: the common choices. */
const maskingChoices: { value: string; label: string; masking?: (visible: number) => Masking }[] = [
  { value: '', label: 'Default for the type' },
  { value: 'redact', label: 'Hidden ([redacted])', masking: () => ({ op: 'redact' }) },
  {
    value: 'mask',
    label: 'Last characters visible',
    masking: (visible) => ({ op: 'mask', visible, from: 'end', char: '•' }),
  },
  { value: 'email', label: 'E-mail: first letter and domain', masking: () => ({ op: 'email' }) },
  {
    value: 'keyed_hash',
    label: 'Keyed hash (same value, same hash)',
    masking: () => ({ op: 'keyed_hash', length: 16 }),
  },
  {
    value: 'generalize_date_year',
    label: 'Date: year only',
    masking: () => ({ op: 'generalize_date', to: 'year' }),
  },
  {
    value: 'generalize_date_month',
    label: 'Date: year and month',
    masking: () => ({ op: 'generalize_date', to: 'month' }),
  },
  {
    value: 'generalize_postcode',
    label: 'Postcode: first characters',
    masking: () => ({ op: 'generalize_postcode', keep: 2 }),
  },
  { value: 'null', label: 'Left out', masking: () => ({ op: 'null' }) },
];

/** A field as the form edits it; `existing` marks a field the collection already has. */
export type FieldDraft = {
  name: string;
  type: string;
  category: string;
  classification: string;
  required: boolean;
  indexed: boolean;
  tokenizable: boolean;
  masking: string;
  maskVisible: number;
  /** A masking set through the API that the form offers no choice for, kept as it is. */
  keptMasking?: Masking | undefined;
  description: string;
  existing: boolean;
};

export const newField = (): FieldDraft => ({
  name: '',
  type: 'string',
  category: 'user',
  classification: 'confidential',
  required: false,
  indexed: false,
  tokenizable: false,
  masking: '',
  maskVisible: 4,
  description: '',
  existing: false,
});

function maskingChoiceOf(masking: Masking | undefined): { masking: string; kept?: Masking } {
  if (!masking) return { masking: '' };
  if (masking.op === 'generalize_date') {
    return { masking: masking.to === 'month' ? 'generalize_date_month' : 'generalize_date_year' };
  }
  if (maskingChoices.some((choice) => choice.value === masking.op)) return { masking: masking.op };
  return { masking: 'kept', kept: masking };
}

/** A stored field definition as a draft of the form. */
export function draftOfField(field: FieldDefinition): FieldDraft {
  const masking = field.masking as Masking | undefined;
  const choice = maskingChoiceOf(masking);
  return {
    name: field.name,
    type: field.type,
    category: field.category,
    classification: field.classification,
    required: field.required,
    indexed: field.indexed,
    tokenizable: field.tokenizable,
    masking: choice.masking,
    maskVisible: typeof masking?.visible === 'number' ? masking.visible : 4,
    keptMasking: choice.kept,
    description: field.description ?? '',
    existing: true,
  };
}

/** The draft as the API takes a field definition. */
export function definitionOf(draft: FieldDraft): Record<string, unknown> {
  const choice = maskingChoices.find((item) => item.value === draft.masking);
  const masking =
    draft.masking === 'kept'
      ? draft.keptMasking
      : choice?.masking
        ? choice.masking(draft.maskVisible)
        : undefined;
  return {
    name: draft.name.trim(),
    type: draft.type,
    category: draft.category.trim(),
    classification: draft.classification,
    required: draft.required,
    indexed: draft.indexed,
    tokenizable: draft.tokenizable,
    ...(masking && draft.classification !== 'public' ? { masking } : {}),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
  };
}

/** One field of a collection: name, type, category, classification, and how it is stored and shown. */
export function FieldEditor({
  field,
  index,
  ordinal,
  onChange,
  onRemove,
  errorOf,
}: {
  field: FieldDraft;
  /** Its place among all fields (for the API's error paths). */
  index: number;
  /** Its number among the new fields (for labels). */
  ordinal: number;
  onChange: (patch: Partial<FieldDraft>) => void;
  onRemove?: (() => void) | undefined;
  errorOf: (path: string) => string | undefined;
}) {
  const categories = useTaxonomy('data_category');
  const listId = useId();
  const indexable = indexableTypes.includes(field.type) && field.classification !== 'public';
  const legend = field.existing ? `Field ${field.name}` : `New field ${ordinal}`;
  const at = `fields.${index}`;
  const category = termFor(categories, field.category.trim());
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div className="form-row">
        {field.existing ? null : (
          <TextField
            label="Field name"
            required
            pattern="[a-z][a-z0-9_]*"
            value={field.name}
            onChange={(event) => onChange({ name: event.target.value })}
            hint="Lower-case letters, digits and _."
            error={errorOf(`${at}.name`)}
          />
        )}
        <SelectField
          label="Type"
          value={field.type}
          onChange={(event) => {
            const type = event.target.value;
            onChange({ type, indexed: field.indexed && indexableTypes.includes(type) });
          }}
          options={fieldTypes.map((value) => ({ value, label: value }))}
          error={errorOf(`${at}.type`)}
        />
        <TextField
          label="Data category"
          list={listId}
          required
          autoComplete="off"
          value={field.category}
          onChange={(event) => onChange({ category: event.target.value })}
          hint={
            category
              ? `${category.name}${category.specialCategory ? ' — a special category (GDPR Art. 9)' : ''}`
              : 'A taxonomy category, e.g. user.contact.email.'
          }
          error={errorOf(`${at}.category`)}
        />
        <SelectField
          label="Classification"
          value={field.classification}
          onChange={(event) => {
            const classification = event.target.value;
            onChange({ classification, indexed: field.indexed && classification !== 'public' });
          }}
          options={classifications.map((value) => ({ value, label: humanize(value) }))}
          hint="Anything but public is encrypted per subject."
          error={errorOf(`${at}.classification`)}
        />
      </div>
      <TaxonomyOptions id={listId} terms={categories} />
      <div className="button-row">
        <CheckboxField
          label="Required"
          checked={field.required}
          onChange={(event) => onChange({ required: event.target.checked })}
        />
        <CheckboxField
          label="Searchable (blind index)"
          checked={field.indexed}
          disabled={!indexable}
          onChange={(event) => onChange({ indexed: event.target.checked })}
          hint={indexable ? undefined : 'Only string, e-mail and phone fields that are not public.'}
          error={errorOf(`${at}.indexed`)}
        />
        <CheckboxField
          label="Tokenizable"
          checked={field.tokenizable}
          onChange={(event) => onChange({ tokenizable: event.target.checked })}
        />
      </div>
      {field.classification === 'public' ? (
        <p className="muted">Public fields are stored and shown in clear.</p>
      ) : (
        <div className="form-row">
          <SelectField
            label="Shown without the reveal permission as"
            value={field.masking}
            onChange={(event) => onChange({ masking: event.target.value })}
            options={[
              ...maskingChoices.map(({ value, label }) => ({ value, label })),
              ...(field.keptMasking
                ? [{ value: 'kept', label: `As set through the API (${humanize(field.keptMasking.op)})` }]
                : []),
            ]}
            error={errorOf(`${at}.masking`)}
          />
          {field.masking === 'mask' ? (
            <TextField
              label="Characters left visible"
              type="number"
              min={0}
              max={64}
              value={field.maskVisible}
              onChange={(event) => onChange({ maskVisible: Number(event.target.value) })}
            />
          ) : null}
        </div>
      )}
      {onRemove ? (
        <div>
          <Button variant="ghost" onClick={onRemove}>
            Remove {field.existing ? `field ${field.name}` : `new field ${ordinal}`}
          </Button>
        </div>
      ) : null}
    </fieldset>
  );
}

function errorsOf(error: unknown) {
  return (path: string) => (error instanceof ApiError ? error.fieldError(path) : undefined);
}

/** The message for a refused change: which fields hold data, and what that means. */
function RefusedChange({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || error.code !== 'conflict') return <ErrorAlert error={error} />;
  const holding = error.extensions.fieldsWithData;
  if (!Array.isArray(holding) || holding.length === 0) return <ErrorAlert error={error} />;
  const names = holding.filter((name): name is string => typeof name === 'string');
  return (
    <Alert tone="error" title="Not saved: some fields hold data">
      <p>
        {names.length === 1 ? 'The field ' : 'The fields '}
        <strong>{names.join(', ')}</strong> {names.length === 1 ? 'holds' : 'hold'} values in stored records.
        Removing a field, or changing its type, its search index or whether it is encrypted, would lose them,
        so nothing was changed.
      </p>
      <p>
        Keep the field as it is, or add a new field beside it. To delete the stored values on purpose, an
        administrator changes the collection through the API with a migration plan.
      </p>
    </Alert>
  );
}

/** Creates a collection: its name, whether a subject may have many records, and its fields. */
export function CreateCollectionForm({ onCreated }: { onCreated: (name: string) => Promise<void> }) {
  const { api } = useSignedIn();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [multiple, setMultiple] = useState(false);
  const [fields, setFields] = useState<FieldDraft[]>([newField()]);
  const create = useAction(async () => {
    await api.post('/v1/collections', { name, description, multiple, fields: fields.map(definitionOf) });
    setName('');
    setDescription('');
    setMultiple(false);
    setFields([newField()]);
    await onCreated(name);
  });
  const change = (index: number, patch: Partial<FieldDraft>) =>
    setFields(fields.map((field, position) => (position === index ? { ...field, ...patch } : field)));

  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }

  const errorOf = errorsOf(create.error);
  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      <ErrorAlert error={create.error} />
      <div className="form-row">
        <TextField
          label="Name"
          required
          pattern="[a-z][a-z0-9_]*"
          value={name}
          onChange={(event) => setName(event.target.value)}
          hint="Lower-case letters, digits and _, e.g. customers."
          error={errorOf('name')}
        />
        <TextField
          label="Description"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <CheckboxField
        label="Many records per subject"
        checked={multiple}
        onChange={(event) => setMultiple(event.target.checked)}
        hint="For example orders or addresses; otherwise each subject has one record here."
      />
      {fields.map((field, index) => (
        <FieldEditor
          key={`field-${index.toString()}`}
          field={field}
          index={index}
          ordinal={index + 1}
          onChange={(patch) => change(index, patch)}
          onRemove={
            fields.length > 1
              ? () => setFields(fields.filter((_, position) => position !== index))
              : undefined
          }
          errorOf={errorOf}
        />
      ))}
      <div className="button-row">
        <Button onClick={() => setFields([...fields, newField()])}>Add a field</Button>
        <Button type="submit" variant="primary" busy={create.busy}>
          Create collection
        </Button>
      </div>
    </form>
  );
}

type Change = { added: string[]; removed: string[]; changed: string[] };

function describeChange(change: Change): string {
  const parts = [
    change.added.length > 0 ? `added ${change.added.join(', ')}` : '',
    change.removed.length > 0 ? `removed ${change.removed.join(', ')}` : '',
    change.changed.length > 0 ? `changed ${change.changed.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? `Saved: ${parts.join('; ')}.` : 'Saved.';
}

/**
 * Changes a collection: new fields are always accepted; removing or retyping a field that holds data is
 * refused by the API, and the refusal is explained.
 */
export function EditCollectionForm({
  collection,
  onSaved,
  onCancel,
}: {
  collection: Collection;
  onSaved: (message: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { api } = useSignedIn();
  const [description, setDescription] = useState(collection.description);
  const [multiple, setMultiple] = useState(collection.multiple);
  const [fields, setFields] = useState<FieldDraft[]>(() => collection.fields.map(draftOfField));
  const save = useAction(async () => {
    if (fields.length === 0) throw new InputError('A collection keeps at least one field.');
    const result = await api.put<{ change: Change }>(`/v1/collections/${collection.name}`, {
      description,
      multiple,
      fields: fields.map(definitionOf),
    });
    await onSaved(describeChange(result.change));
  });
  const change = (index: number, patch: Partial<FieldDraft>) =>
    setFields(fields.map((field, position) => (position === index ? { ...field, ...patch } : field)));

  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }

  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      <RefusedChange error={save.error} />
      <TextField
        label="Description"
        value={description}
        onChange={(event) => setDescription(event.target.value)}
      />
      <CheckboxField
        label="Many records per subject"
        checked={multiple}
        disabled={collection.multiple}
        onChange={(event) => setMultiple(event.target.checked)}
        hint={
          collection.multiple ? 'A collection of many records per subject cannot go back to one.' : undefined
        }
      />
      {fields.map((field, index) => (
        <FieldEditor
          key={field.existing ? field.name : `new-${index.toString()}`}
          field={field}
          index={index}
          ordinal={fields.slice(0, index + 1).filter((item) => !item.existing).length}
          onChange={(patch) => change(index, patch)}
          onRemove={() => setFields(fields.filter((_, position) => position !== index))}
          errorOf={errorsOf(save.error)}
        />
      ))}
      <div className="button-row">
        <Button onClick={() => setFields([...fields, newField()])}>Add a field</Button>
        <Button type="submit" variant="primary" busy={save.busy}>
          Save changes
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
