import { type FormEvent, useState } from 'react';
import { ApiError } from '../shared/api';
import type { Schemas } from '../shared/api-types';
import { useAction } from '../shared/hooks';
import { Button, ErrorAlert, SelectField, TableWrap, TextField } from '../shared/ui';
import { useSignedIn } from './session';
import type { Collection } from './types';

export type RetentionTrigger = Schemas['RetentionTrigger'];

export type RetentionRule = {
  id: string;
  name: string;
  collection: string | null;
  dataCategory: string | null;
  purpose: string | null;
  trigger: RetentionTrigger;
  action: 'delete' | 'anonymize' | 'shred';
  fields: string[] | null;
  anonymization: Record<string, { op: string }>;
  legalBasis: string | null;
  description: string;
  duration: string | null;
};

const triggerOptions = [
  { value: 'record_created', label: 'The record was stored' },
  { value: 'last_activity', label: 'The subject’s last activity' },
  { value: 'relationship_ended', label: 'The relationship ended' },
  { value: 'consent_withdrawn', label: 'Consent for a purpose withdrawn or expired' },
  { value: 'date_field', label: 'A date field of the record' },
  { value: 'age_reached', label: 'The subject reached an age' },
];

const actionOptions = [
  { value: 'delete', label: 'Delete the record' },
  { value: 'anonymize', label: 'Anonymize the record (collection rules)' },
  { value: 'shred', label: 'Crypto-shred the whole subject' },
];

const groundOptions = [
  { value: '', label: 'None: the rule only limits storage' },
  { value: 'legal_obligation', label: 'Legal obligation (Art. 17(3)(b))' },
  { value: 'legal_claims', label: 'Legal claims (Art. 17(3)(e))' },
  { value: 'public_interest', label: 'Public interest (Art. 17(3)(b))' },
  { value: 'public_health', label: 'Public health (Art. 17(3)(c))' },
  { value: 'archiving_research', label: 'Archiving, research, statistics (Art. 17(3)(d))' },
  { value: 'freedom_of_expression', label: 'Freedom of expression (Art. 17(3)(a))' },
];

/** What an anonymizing rule does with each field: keep it, drop it, or one of the vault's operators. */
const fieldTreatments: { value: string; label: string; operator?: Record<string, unknown> }[] = [
  { value: 'drop', label: 'Drop' },
  { value: 'keep', label: 'Keep as it is' },
  { value: 'redact', label: 'Redact', operator: { op: 'redact' } },
  { value: 'mask', label: 'Mask (last 4 visible)', operator: { op: 'mask' } },
  { value: 'email', label: 'Mask an e-mail address', operator: { op: 'email' } },
  { value: 'keyed_hash', label: 'Keyed hash', operator: { op: 'keyed_hash' } },
  { value: 'generalize_date', label: 'Year only', operator: { op: 'generalize_date', to: 'year' } },
  { value: 'generalize_number', label: 'Range of 10', operator: { op: 'generalize_number', bucket: 10 } },
  { value: 'generalize_postcode', label: 'Postcode area', operator: { op: 'generalize_postcode', keep: 2 } },
  { value: 'random_replace', label: 'Random characters', operator: { op: 'random_replace' } },
  { value: 'date_shift', label: 'Shift up to 30 days', operator: { op: 'date_shift', maxDays: 30 } },
];

type Draft = {
  name: string;
  scope: 'collection' | 'dataCategory' | 'purpose';
  target: string;
  trigger: string;
  triggerPurpose: string;
  triggerField: string;
  years: string;
  duration: string;
  action: string;
  legalBasis: string;
  description: string;
  treatments: Record<string, string>;
};

const emptyDraft: Draft = {
  name: '',
  scope: 'collection',
  target: '',
  trigger: 'record_created',
  triggerPurpose: '',
  triggerField: '',
  years: '18',
  duration: 'P1Y',
  action: 'delete',
  legalBasis: '',
  description: '',
  treatments: {},
};

function draftOf(rule: RetentionRule): Draft {
  const treatments: Record<string, string> = {};
  for (const field of rule.fields ?? []) treatments[field] = 'keep';
  for (const [field, operator] of Object.entries(rule.anonymization)) treatments[field] = operator.op;
  const trigger = rule.trigger;
  return {
    name: rule.name,
    scope: rule.collection ? 'collection' : rule.dataCategory ? 'dataCategory' : 'purpose',
    target: rule.collection ?? rule.dataCategory ?? rule.purpose ?? '',
    trigger: trigger.type,
    triggerPurpose: trigger.type === 'consent_withdrawn' ? trigger.purpose : '',
    triggerField: trigger.type === 'date_field' || trigger.type === 'age_reached' ? trigger.field : '',
    years: trigger.type === 'age_reached' ? String(trigger.years) : '18',
    duration: rule.duration ?? '',
    action: rule.action,
    legalBasis: rule.legalBasis ?? '',
    description: rule.description,
    treatments,
  };
}

function triggerOf(draft: Draft): Record<string, unknown> {
  if (draft.trigger === 'consent_withdrawn') return { type: draft.trigger, purpose: draft.triggerPurpose };
  if (draft.trigger === 'date_field') return { type: draft.trigger, field: draft.triggerField };
  if (draft.trigger === 'age_reached') {
    return { type: draft.trigger, field: draft.triggerField, years: Number(draft.years) };
  }
  return { type: draft.trigger };
}

/** The rule as the API takes it (`POST`/`PUT /v1/retention/policies`). */
function bodyOf(draft: Draft) {
  const anonymizing = draft.action === 'anonymize';
  const kept = Object.entries(draft.treatments).filter(([, treatment]) => treatment === 'keep');
  const operators = Object.entries(draft.treatments).flatMap(([field, treatment]) => {
    const operator = fieldTreatments.find((option) => option.value === treatment)?.operator;
    return operator ? [[field, operator] as const] : [];
  });
  return {
    name: draft.name.trim(),
    [draft.scope]: draft.target.trim(),
    trigger: triggerOf(draft),
    duration: draft.duration.trim() === '' ? null : draft.duration.trim(),
    action: draft.action,
    legalBasis: draft.legalBasis === '' ? null : draft.legalBasis,
    description: draft.description.trim(),
    ...(anonymizing && kept.length > 0 ? { fields: kept.map(([field]) => field) } : {}),
    ...(anonymizing ? { anonymization: Object.fromEntries(operators) } : {}),
  };
}

const fieldError = (error: unknown, path: string) =>
  error instanceof ApiError ? error.fieldError(path) : undefined;

/** Creates a rule, or replaces `rule`: scope, trigger, period, action, the fields' operators, ground. */
export function RetentionRuleForm({
  rule,
  collections,
  onSaved,
  onCancel,
}: {
  rule?: RetentionRule;
  collections: Collection[];
  onSaved: (rule: RetentionRule) => Promise<void>;
  onCancel?: () => void;
}) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState<Draft>(() => (rule ? draftOf(rule) : emptyDraft));
  const set = (name: keyof Draft) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: event.target.value });
  const save = useAction(async () => {
    const saved = rule
      ? await api.put<RetentionRule>(`/v1/retention/policies/${rule.id}`, bodyOf(draft))
      : await api.post<RetentionRule>('/v1/retention/policies', bodyOf(draft));
    if (!rule) setDraft(emptyDraft);
    await onSaved(saved);
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }
  const collection =
    draft.scope === 'collection' ? collections.find((row) => row.name === draft.target) : undefined;
  const dateFields = (collection?.fields ?? []).filter(
    (field) => field.type === 'date' || field.type === 'datetime',
  );
  return (
    <form
      className="form form-wide"
      onSubmit={submit}
      noValidate
      aria-label={rule ? `Edit ${rule.name}` : 'New rule'}
    >
      <ErrorAlert error={save.error} />
      <div className="form-row">
        <TextField
          label="Name"
          required
          value={draft.name}
          onChange={set('name')}
          error={fieldError(save.error, 'name')}
        />
        <SelectField
          label="Covers"
          value={draft.scope}
          onChange={set('scope')}
          options={[
            { value: 'collection', label: 'A collection' },
            { value: 'dataCategory', label: 'A data category (and those beneath it)' },
            { value: 'purpose', label: 'The data of a consent purpose' },
          ]}
        />
      </div>
      {draft.scope === 'collection' ? (
        <SelectField
          label="Collection"
          value={draft.target}
          onChange={set('target')}
          options={[
            { value: '', label: 'Choose…' },
            ...collections.map((row) => ({ value: row.name, label: row.name })),
          ]}
          error={fieldError(save.error, 'collection')}
        />
      ) : (
        <TextField
          label={draft.scope === 'purpose' ? 'Purpose key' : 'Data category'}
          value={draft.target}
          onChange={set('target')}
          placeholder={draft.scope === 'purpose' ? 'marketing_email' : 'user.contact'}
          error={fieldError(save.error, draft.scope)}
        />
      )}
      <div className="form-row">
        <SelectField
          label="Counts from"
          value={draft.trigger}
          onChange={set('trigger')}
          options={triggerOptions}
        />
        <TextField
          label="Period"
          value={draft.duration}
          onChange={set('duration')}
          hint="ISO 8601: P7Y, P18M, P90D; empty: at the trigger itself."
          error={fieldError(save.error, 'duration')}
        />
      </div>
      {draft.trigger === 'consent_withdrawn' ? (
        <TextField
          label="Purpose withdrawn"
          value={draft.triggerPurpose}
          onChange={set('triggerPurpose')}
          error={fieldError(save.error, 'trigger.purpose')}
        />
      ) : null}
      {draft.trigger === 'date_field' || draft.trigger === 'age_reached' ? (
        <div className="form-row">
          <SelectField
            label={draft.trigger === 'age_reached' ? 'Birth-date field' : 'Date field'}
            value={draft.triggerField}
            onChange={set('triggerField')}
            options={[
              { value: '', label: 'Choose…' },
              ...dateFields.map((field) => ({ value: field.name, label: field.name })),
            ]}
            error={fieldError(save.error, 'trigger.field')}
          />
          {draft.trigger === 'age_reached' ? (
            <TextField label="Age (years)" type="number" value={draft.years} onChange={set('years')} />
          ) : null}
        </div>
      ) : null}
      <div className="form-row">
        <SelectField
          label="Then"
          value={draft.action}
          onChange={set('action')}
          options={actionOptions}
          error={fieldError(save.error, 'action')}
        />
        <SelectField
          label="Legal ground"
          value={draft.legalBasis}
          onChange={set('legalBasis')}
          options={groundOptions}
        />
      </div>
      {draft.action === 'anonymize' && collection ? (
        <TableWrap label="What anonymization does with each field">
          <table>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Type</th>
                <th scope="col">Treatment</th>
              </tr>
            </thead>
            <tbody>
              {collection.fields.map((field) => (
                <tr key={field.name}>
                  <td className="mono">{field.name}</td>
                  <td>{field.type}</td>
                  <td>
                    <SelectField
                      label={`Treatment of ${field.name}`}
                      value={draft.treatments[field.name] ?? 'drop'}
                      onChange={(event) =>
                        setDraft({
                          ...draft,
                          treatments: { ...draft.treatments, [field.name]: event.target.value },
                        })
                      }
                      options={fieldTreatments}
                      error={fieldError(save.error, `anonymization.${field.name}`)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <TextField
        label="Description"
        value={draft.description}
        onChange={set('description')}
        hint="The obligation or reason in words."
      />
      <div className="button-row">
        <Button type="submit" variant="primary" busy={save.busy}>
          {rule ? 'Save rule' : 'Create rule'}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}
