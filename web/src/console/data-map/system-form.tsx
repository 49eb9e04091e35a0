/** The form for a registered system: what it holds, where, how it is protected, who runs it, its tasks. */
import { InputError } from '../../shared/api';
import { humanize } from '../../shared/format';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../shared/ui';
import { classifications } from '../collection-form';
import { TaxonomyPicker, withPending } from '../taxonomy';
import type { Classification, DataMap, SystemEntry, SystemKind } from '../types';
import { CountryPicker, fieldErrorOf, retentionLabel, wordsOf } from './common';

export const systemKindLabels: Record<SystemKind, string> = {
  internal_application: 'Internal application',
  database: 'Database',
  saas: 'SaaS',
  processor_hosted: 'Hosted by a processor',
  paper: 'Paper',
};

export type SystemDraft = {
  name: string;
  description: string;
  owner: string;
  kind: SystemKind;
  locations: string[];
  categories: string[];
  pendingCategories: string;
  subjects: string[];
  pendingSubjects: string;
  classification: Classification;
  retentionPolicyId: string;
  retentionPeriod: string;
  encryptionRequired: boolean;
  roles: string;
  permissions: string;
  accessNotes: string;
  geographicRestrictions: string[];
  processorId: string;
  receivesTasks: boolean;
  endpointUrl: string;
  tasksEnabled: boolean;
};

export const emptySystemDraft: SystemDraft = {
  name: '',
  description: '',
  owner: '',
  kind: 'internal_application',
  locations: [],
  categories: [],
  pendingCategories: '',
  subjects: [],
  pendingSubjects: '',
  classification: 'confidential',
  retentionPolicyId: '',
  retentionPeriod: '',
  encryptionRequired: false,
  roles: '',
  permissions: '',
  accessNotes: '',
  geographicRestrictions: [],
  processorId: '',
  receivesTasks: false,
  endpointUrl: '',
  tasksEnabled: true,
};

export function systemDraftOf(system: SystemEntry): SystemDraft {
  return {
    name: system.name,
    description: system.description,
    owner: system.owner,
    kind: system.kind,
    locations: system.locations,
    categories: system.dataCategories,
    pendingCategories: '',
    subjects: system.dataSubjects,
    pendingSubjects: '',
    classification: system.classification,
    retentionPolicyId: system.retention?.policyId ?? '',
    retentionPeriod: system.retention?.period ?? '',
    encryptionRequired: system.encryptionRequired,
    roles: system.accessControls.roles.join(', '),
    permissions: system.accessControls.permissions.join(', '),
    accessNotes: system.accessControls.notes,
    geographicRestrictions: system.geographicRestrictions,
    processorId: system.processorId ?? '',
    receivesTasks: system.fulfilment !== null,
    endpointUrl: system.fulfilment?.endpointUrl ?? '',
    tasksEnabled: system.fulfilment?.enabled ?? true,
  };
}

/** The system as the API takes it (`POST /v1/inventory/systems`, `PATCH /v1/inventory/systems/{id}`). */
export function systemBodyOf(draft: SystemDraft) {
  const dataCategories = withPending(draft.categories, draft.pendingCategories);
  if (draft.receivesTasks && dataCategories.length === 0) {
    throw new InputError('A system that receives tasks needs the data categories it holds.');
  }
  const policyId = draft.retentionPolicyId || null;
  const period = draft.retentionPeriod.trim() || null;
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    owner: draft.owner.trim(),
    kind: draft.kind,
    locations: draft.locations,
    dataCategories,
    dataSubjects: withPending(draft.subjects, draft.pendingSubjects),
    classification: draft.classification,
    retention: policyId || period ? { policyId, period } : null,
    encryptionRequired: draft.encryptionRequired,
    accessControls: {
      roles: wordsOf(draft.roles),
      permissions: wordsOf(draft.permissions),
      notes: draft.accessNotes.trim(),
    },
    geographicRestrictions: draft.geographicRestrictions,
    processorId: draft.processorId || null,
    // A system's task endpoint, once made, stays: pausing its tasks is how it stops receiving them.
    ...(draft.receivesTasks ? { endpointUrl: draft.endpointUrl.trim(), enabled: draft.tasksEnabled } : {}),
  };
}

export function SystemFields({
  draft,
  onChange,
  error,
  map,
  hasEndpoint = false,
}: {
  draft: SystemDraft;
  onChange: (draft: SystemDraft) => void;
  error: unknown;
  map: DataMap;
  /** Whether the system already has its task endpoint (which cannot be taken away). */
  hasEndpoint?: boolean;
}) {
  const errorOf = fieldErrorOf(error);
  const set =
    <K extends keyof SystemDraft>(name: K) =>
    (value: SystemDraft[K]) =>
      onChange({ ...draft, [name]: value });
  const text =
    (
      name:
        | 'name'
        | 'description'
        | 'owner'
        | 'retentionPeriod'
        | 'roles'
        | 'permissions'
        | 'accessNotes'
        | 'endpointUrl',
    ) =>
    (event: { target: { value: string } }) =>
      set(name)(event.target.value);
  return (
    <>
      <div className="form-row">
        <TextField label="Name" required value={draft.name} onChange={text('name')} error={errorOf('name')} />
        <TextField
          label="Owner"
          required
          value={draft.owner}
          onChange={text('owner')}
          hint="The operator or team answering for it."
          error={errorOf('owner')}
        />
        <SelectField
          label="Kind"
          value={draft.kind}
          onChange={(event) => set('kind')(event.target.value as SystemKind)}
          options={Object.entries(systemKindLabels).map(([value, label]) => ({ value, label }))}
          error={errorOf('kind')}
        />
      </div>
      <TextAreaField
        label="Description"
        value={draft.description}
        onChange={text('description')}
        error={errorOf('description')}
      />
      <TaxonomyPicker
        kind="data_category"
        legend="Data categories it holds"
        addLabel="Add a data category"
        value={draft.categories}
        pending={draft.pendingCategories}
        onChange={(next) => onChange({ ...draft, categories: next.value, pendingCategories: next.pending })}
        error={errorOf('dataCategories')}
      />
      <TaxonomyPicker
        kind="data_subject"
        legend="Data subjects"
        addLabel="Add a data subject"
        hint="Whose data it holds, e.g. customer or employee."
        value={draft.subjects}
        pending={draft.pendingSubjects}
        onChange={(next) => onChange({ ...draft, subjects: next.value, pendingSubjects: next.pending })}
        error={errorOf('dataSubjects')}
      />
      <CountryPicker
        legend="Locations"
        hint="Where its data is stored and accessed from."
        value={draft.locations}
        onChange={set('locations')}
        error={errorOf('locations')}
      />
      <CountryPicker
        legend="Geographic restrictions"
        hint="Countries or regions (EEA) its data must not leave."
        allowRegions
        value={draft.geographicRestrictions}
        onChange={set('geographicRestrictions')}
        error={errorOf('geographicRestrictions')}
      />
      <div className="form-row">
        <SelectField
          label="Classification"
          value={draft.classification}
          onChange={(event) => set('classification')(event.target.value as Classification)}
          options={classifications.map((value) => ({ value, label: humanize(value) }))}
          error={errorOf('classification')}
        />
        <SelectField
          label="Retention policy"
          value={draft.retentionPolicyId}
          onChange={(event) => set('retentionPolicyId')(event.target.value)}
          options={[
            { value: '', label: 'None' },
            ...map.retention.map((policy) => ({
              value: policy.id,
              label: retentionLabel(policy),
            })),
          ]}
          error={errorOf('retention.policyId')}
        />
        <TextField
          label="Retention period"
          value={draft.retentionPeriod}
          onChange={text('retentionPeriod')}
          placeholder="P2Y"
          hint="An ISO 8601 period, when no policy applies."
          error={errorOf('retention.period')}
        />
      </div>
      <CheckboxField
        label="Encryption required"
        checked={draft.encryptionRequired}
        onChange={(event) => set('encryptionRequired')(event.target.checked)}
        hint="Its data must be stored encrypted; Custos reports where it is not."
      />
      <fieldset>
        <legend>Access controls</legend>
        <div className="form-row">
          <TextField
            label="Roles"
            value={draft.roles}
            onChange={text('roles')}
            hint="Comma-separated, e.g. dpo, privacy_agent."
            error={errorOf('accessControls.roles')}
          />
          <TextField
            label="Permissions"
            value={draft.permissions}
            onChange={text('permissions')}
            hint="Comma-separated."
            error={errorOf('accessControls.permissions')}
          />
        </div>
        <TextAreaField
          label="Notes"
          value={draft.accessNotes}
          onChange={text('accessNotes')}
          hint="For systems outside Custos: who may access it and how."
          error={errorOf('accessControls.notes')}
        />
      </fieldset>
      <SelectField
        label="Operated by"
        value={draft.processorId}
        onChange={(event) => set('processorId')(event.target.value)}
        options={[
          { value: '', label: 'The organization itself' },
          ...map.processors.map((processor) => ({ value: processor.id, label: processor.name })),
        ]}
        error={errorOf('processorId')}
      />
      <fieldset>
        <legend>Erasure, rectification and restriction tasks</legend>
        <CheckboxField
          label="Receives tasks"
          checked={draft.receivesTasks}
          disabled={hasEndpoint}
          onChange={(event) => set('receivesTasks')(event.target.checked)}
          hint={
            hasEndpoint
              ? 'Its task endpoint stays; pause its tasks to stop sending new ones.'
              : 'Requests that erase, correct or restrict its data categories send it a signed task to confirm.'
          }
        />
        {draft.receivesTasks ? (
          <>
            <TextField
              label="Task endpoint URL"
              type="url"
              required
              value={draft.endpointUrl}
              onChange={text('endpointUrl')}
              error={errorOf('endpointUrl')}
            />
            <CheckboxField
              label="Send new tasks"
              checked={draft.tasksEnabled}
              onChange={(event) => set('tasksEnabled')(event.target.checked)}
              hint="A paused system is sent no new tasks; its open tasks stay as they are."
            />
          </>
        ) : null}
      </fieldset>
    </>
  );
}
