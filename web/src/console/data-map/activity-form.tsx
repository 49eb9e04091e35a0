/**
 * What a person types for a processing activity: its name and role, what it links (purposes, collections,
 * systems, processors, measures — from which the map derives the rest), and what the map cannot know.
 */
import { type FormEvent, useState } from 'react';
import { humanize } from '../../shared/format';
import { useAction } from '../../shared/hooks';
import { Button, CheckboxField, ErrorAlert, SelectField, TextAreaField, TextField } from '../../shared/ui';
import { TaxonomyPicker, withPending } from '../taxonomy';
import type { ActivityEntry, ActivityRole, DataMap, Party } from '../types';
import { CountryField, fieldErrorOf, wordsOf } from './common';

export type ActivityDraft = {
  name: string;
  description: string;
  role: ActivityRole;
  controllerName: string;
  controllerContact: string;
  jointControllers: Party[];
  purposeKeys: string[];
  collectionNames: string[];
  systemIds: string[];
  processorIds: string[];
  measureIds: string[];
  extraCategories: string[];
  pendingCategories: string;
  extraSubjects: string[];
  pendingSubjects: string;
  recipientCategories: string;
  transferSafeguards: { country: string; safeguard: string }[];
  retentionNote: string;
};

export const emptyActivityDraft: ActivityDraft = {
  name: '',
  description: '',
  role: 'controller',
  controllerName: '',
  controllerContact: '',
  jointControllers: [],
  purposeKeys: [],
  collectionNames: [],
  systemIds: [],
  processorIds: [],
  measureIds: [],
  extraCategories: [],
  pendingCategories: '',
  extraSubjects: [],
  pendingSubjects: '',
  recipientCategories: '',
  transferSafeguards: [],
  retentionNote: '',
};

export function activityDraftOf(activity: ActivityEntry): ActivityDraft {
  return {
    ...emptyActivityDraft,
    name: activity.name,
    description: activity.description,
    role: activity.role,
    controllerName: activity.controller?.name ?? '',
    controllerContact: activity.controller?.contact ?? '',
    jointControllers: activity.jointControllers,
    purposeKeys: activity.purposeKeys,
    collectionNames: activity.collectionNames,
    systemIds: activity.systemIds,
    processorIds: activity.processorIds,
    measureIds: activity.measureIds,
    extraCategories: activity.extraDataCategories,
    extraSubjects: activity.extraDataSubjects,
    recipientCategories: activity.recipientCategories.join(', '),
    transferSafeguards: activity.transferSafeguards,
    retentionNote: activity.retentionNote,
  };
}

/** The activity as the API takes it (`POST /v1/inventory/activities`, `PATCH …/{id}`). */
export function activityBodyOf(draft: ActivityDraft) {
  const controller =
    draft.role === 'processor'
      ? { name: draft.controllerName.trim(), contact: draft.controllerContact.trim() }
      : null;
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    role: draft.role,
    controller,
    jointControllers: draft.jointControllers.filter((party) => party.name.trim()),
    purposeKeys: draft.purposeKeys,
    collectionNames: draft.collectionNames,
    systemIds: draft.systemIds,
    processorIds: draft.processorIds,
    measureIds: draft.measureIds,
    extraDataCategories: withPending(draft.extraCategories, draft.pendingCategories),
    extraDataSubjects: withPending(draft.extraSubjects, draft.pendingSubjects),
    recipientCategories: wordsOf(draft.recipientCategories),
    transferSafeguards: draft.transferSafeguards.filter((transfer) => transfer.country),
    retentionNote: draft.retentionNote.trim(),
  };
}

function toggled(list: readonly string[], value: string, on: boolean): string[] {
  return on ? [...new Set([...list, value])] : list.filter((item) => item !== value);
}

/** A group of checkboxes for the entries an activity links. */
function LinkChoices({
  legend,
  hint,
  choices,
  value,
  onChange,
  error,
}: {
  legend: string;
  hint: string;
  choices: { value: string; label: string }[];
  value: readonly string[];
  onChange: (value: string[]) => void;
  error?: string | undefined;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <p className="field-hint">{hint}</p>
      {choices.length === 0 ? <p className="muted">None in the map yet.</p> : null}
      <div className="checkbox-grid">
        {choices.map((choice) => (
          <CheckboxField
            key={choice.value}
            label={choice.label}
            checked={value.includes(choice.value)}
            onChange={(event) => onChange(toggled(value, choice.value, event.target.checked))}
          />
        ))}
      </div>
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}

function JointControllers({ value, onChange }: { value: Party[]; onChange: (value: Party[]) => void }) {
  const change = (index: number, patch: Partial<Party>) =>
    onChange(value.map((party, position) => (position === index ? { ...party, ...patch } : party)));
  return (
    <fieldset>
      <legend>Joint controllers</legend>
      {value.map((party, index) => (
        <div className="form-row" key={`joint-${index.toString()}`}>
          <TextField
            label={`Joint controller ${index + 1}: name`}
            value={party.name}
            onChange={(event) => change(index, { name: event.target.value })}
          />
          <TextField
            label={`Joint controller ${index + 1}: contact`}
            value={party.contact}
            onChange={(event) => change(index, { contact: event.target.value })}
          />
          <Button variant="ghost" onClick={() => onChange(value.filter((_, position) => position !== index))}>
            Remove joint controller {index + 1}
          </Button>
        </div>
      ))}
      <Button onClick={() => onChange([...value, { name: '', contact: '' }])}>Add a joint controller</Button>
    </fieldset>
  );
}

function TransferSafeguards({
  value,
  onChange,
  errorOf,
}: {
  value: { country: string; safeguard: string }[];
  onChange: (value: { country: string; safeguard: string }[]) => void;
  errorOf: (path: string) => string | undefined;
}) {
  const change = (index: number, patch: Partial<{ country: string; safeguard: string }>) =>
    onChange(value.map((item, position) => (position === index ? { ...item, ...patch } : item)));
  return (
    <fieldset>
      <legend>Safeguards for transfers to third countries</legend>
      <p className="field-hint">
        The transfers themselves come from where recipients are; record here what makes each lawful (an
        adequacy decision, standard contractual clauses, …).
      </p>
      {value.map((item, index) => (
        <div className="form-row" key={`transfer-${index.toString()}`}>
          <CountryField
            label={`Transfer ${index + 1}: country`}
            value={item.country}
            onChange={(country) => change(index, { country })}
            error={errorOf(`transferSafeguards.${index}.country`)}
          />
          <TextField
            label={`Transfer ${index + 1}: safeguard`}
            value={item.safeguard}
            onChange={(event) => change(index, { safeguard: event.target.value })}
            error={errorOf(`transferSafeguards.${index}.safeguard`)}
          />
          <Button variant="ghost" onClick={() => onChange(value.filter((_, position) => position !== index))}>
            Remove transfer {index + 1}
          </Button>
        </div>
      ))}
      <Button onClick={() => onChange([...value, { country: '', safeguard: '' }])}>Add a safeguard</Button>
    </fieldset>
  );
}

export function ActivityForm({
  map,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  map: DataMap;
  initial: ActivityDraft;
  submitLabel: string;
  onSubmit: (body: ReturnType<typeof activityBodyOf>) => Promise<void>;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState(initial);
  const save = useAction(() => onSubmit(activityBodyOf(draft)));
  const errorOf = fieldErrorOf(save.error);
  const set =
    <K extends keyof ActivityDraft>(name: K) =>
    (value: ActivityDraft[K]) =>
      setDraft({ ...draft, [name]: value });
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }
  const collections = map.systems.filter((system) => system.origin === 'collection');
  const registered = map.systems.filter((system) => system.origin === 'registered');
  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      <ErrorAlert error={save.error} />
      <div className="form-row">
        <TextField
          label="Name"
          required
          value={draft.name}
          onChange={(event) => set('name')(event.target.value)}
          error={errorOf('name')}
        />
        <SelectField
          label="Register"
          value={draft.role}
          onChange={(event) => set('role')(event.target.value as ActivityRole)}
          options={[
            { value: 'controller', label: 'As controller (Art. 30(1))' },
            { value: 'processor', label: 'As processor for a controller (Art. 30(2))' },
          ]}
          error={errorOf('role')}
        />
      </div>
      <TextAreaField
        label="Description"
        value={draft.description}
        onChange={(event) => set('description')(event.target.value)}
        error={errorOf('description')}
      />
      {draft.role === 'processor' ? (
        <div className="form-row">
          <TextField
            label="Controller served: name"
            required
            value={draft.controllerName}
            onChange={(event) => set('controllerName')(event.target.value)}
            error={errorOf('controller.name')}
          />
          <TextField
            label="Controller served: contact"
            value={draft.controllerContact}
            onChange={(event) => set('controllerContact')(event.target.value)}
            error={errorOf('controller.contact')}
          />
        </div>
      ) : null}
      <JointControllers value={draft.jointControllers} onChange={set('jointControllers')} />
      <LinkChoices
        legend="Purposes"
        hint="Legal bases, data uses and automated decisions come from the purposes."
        choices={map.purposes.map((purpose) => ({
          value: purpose.key,
          label: `${purpose.name} (${humanize(purpose.legalBasis)})`,
        }))}
        value={draft.purposeKeys}
        onChange={set('purposeKeys')}
        error={errorOf('purposeKeys')}
      />
      <LinkChoices
        legend="Vault collections"
        hint="Their data categories and retention policies are derived."
        choices={collections.map((system) => ({
          value: system.id.replace(/^collection:/, ''),
          label: system.name,
        }))}
        value={draft.collectionNames}
        onChange={set('collectionNames')}
        error={errorOf('collectionNames')}
      />
      <LinkChoices
        legend="Systems"
        hint="Their categories, locations and operating processors are derived."
        choices={registered.map((system) => ({ value: system.id, label: system.name }))}
        value={draft.systemIds}
        onChange={set('systemIds')}
        error={errorOf('systemIds')}
      />
      <LinkChoices
        legend="Processors receiving data directly"
        hint="Besides those operating the linked systems."
        choices={map.processors.map((processor) => ({ value: processor.id, label: processor.name }))}
        value={draft.processorIds}
        onChange={set('processorIds')}
        error={errorOf('processorIds')}
      />
      <LinkChoices
        legend="Security measures"
        hint="The technical and organisational measures protecting it (Art. 32)."
        choices={map.measures.map((measure) => ({ value: measure.id, label: measure.name }))}
        value={draft.measureIds}
        onChange={set('measureIds')}
        error={errorOf('measureIds')}
      />
      <TaxonomyPicker
        kind="data_category"
        legend="Further data categories"
        addLabel="Add a data category"
        hint="Only what the linked collections and systems do not already hold."
        value={draft.extraCategories}
        pending={draft.pendingCategories}
        onChange={(next) =>
          setDraft({ ...draft, extraCategories: next.value, pendingCategories: next.pending })
        }
        error={errorOf('extraDataCategories')}
      />
      <TaxonomyPicker
        kind="data_subject"
        legend="Further data subjects"
        addLabel="Add a data subject"
        value={draft.extraSubjects}
        pending={draft.pendingSubjects}
        onChange={(next) => setDraft({ ...draft, extraSubjects: next.value, pendingSubjects: next.pending })}
        error={errorOf('extraDataSubjects')}
      />
      <TextField
        label="Categories of recipients"
        value={draft.recipientCategories}
        onChange={(event) => set('recipientCategories')(event.target.value)}
        hint="Comma-separated, for recipients not in the map, e.g. tax authorities."
        error={errorOf('recipientCategories')}
      />
      <TransferSafeguards
        value={draft.transferSafeguards}
        onChange={set('transferSafeguards')}
        errorOf={errorOf}
      />
      <TextField
        label="Retention in words"
        value={draft.retentionNote}
        onChange={(event) => set('retentionNote')(event.target.value)}
        hint="For data no retention policy covers, e.g. until the contract ends plus 6 years."
        error={errorOf('retentionNote')}
      />
      <div className="button-row">
        <Button type="submit" variant="primary" busy={save.busy}>
          {submitLabel}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}
