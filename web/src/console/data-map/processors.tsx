/** Processors and vendors (Art. 28): who they are, the state of their DPA, and their sub-processor chains. */
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { formatDate } from '../../shared/format';
import { useAction, useTitle } from '../../shared/hooks';
import {
  Alert,
  Button,
  Card,
  CheckboxField,
  Empty,
  ErrorAlert,
  LoadState,
  SelectField,
  TextField,
} from '../../shared/ui';
import { ActionDialog } from '../action-dialog';
import { useSignedIn } from '../session';
import type { DataMap, ProcessorEntry, ProcessorRole } from '../types';
import { CountryField, DpaBadge, fieldErrorOf, useDataMap, useManage } from './common';
import { countryName } from './countries';
import { entryPath, inventoryPaths } from './inventory-api';
import { systemLink } from './systems';

export const processorRoleLabels: Record<ProcessorRole, string> = {
  processor: 'Processor',
  sub_processor: 'Sub-processor',
  joint_controller: 'Joint controller',
  independent_controller: 'Independent controller',
};

type Draft = {
  name: string;
  contact: string;
  country: string;
  role: ProcessorRole;
  parentId: string;
  hasDpa: boolean;
  signedAt: string;
  version: string;
  reviewAt: string;
  reference: string;
};

const emptyDraft: Draft = {
  name: '',
  contact: '',
  country: '',
  role: 'processor',
  parentId: '',
  hasDpa: false,
  signedAt: '',
  version: '',
  reviewAt: '',
  reference: '',
};

function draftOf(processor: ProcessorEntry): Draft {
  return {
    name: processor.name,
    contact: processor.contact,
    country: processor.country,
    role: processor.role,
    parentId: processor.parentId ?? '',
    hasDpa: processor.dpa !== null,
    signedAt: processor.dpa?.signedAt ?? '',
    version: processor.dpa?.version ?? '',
    reviewAt: processor.dpa?.reviewAt ?? '',
    reference: processor.dpa?.reference ?? '',
  };
}

/** The processor as the API takes it (`POST /v1/inventory/processors`, `PATCH …/{id}`). */
function bodyOf(draft: Draft) {
  return {
    name: draft.name.trim(),
    contact: draft.contact.trim(),
    country: draft.country,
    role: draft.role,
    parentId: draft.parentId || null,
    dpa: draft.hasDpa
      ? {
          signedAt: draft.signedAt,
          version: draft.version.trim(),
          reviewAt: draft.reviewAt || null,
          reference: draft.reference.trim(),
        }
      : null,
  };
}

/** Everyone engaged below a processor, so it cannot be made its own sub-processor's child. */
function chainBelow(map: DataMap, id: string): Set<string> {
  const below = new Set<string>([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const processor of map.processors) {
      if (processor.parentId && below.has(processor.parentId) && !below.has(processor.id)) {
        below.add(processor.id);
        grew = true;
      }
    }
  }
  return below;
}

function ProcessorFields({
  draft,
  onChange,
  error,
  map,
  editingId,
}: {
  draft: Draft;
  onChange: (draft: Draft) => void;
  error: unknown;
  map: DataMap;
  editingId?: string;
}) {
  const errorOf = fieldErrorOf(error);
  const text =
    (name: 'name' | 'contact' | 'signedAt' | 'version' | 'reviewAt' | 'reference') =>
    (event: { target: { value: string } }) =>
      onChange({ ...draft, [name]: event.target.value });
  const excluded = editingId ? chainBelow(map, editingId) : new Set<string>();
  return (
    <>
      <div className="form-row">
        <TextField label="Name" required value={draft.name} onChange={text('name')} error={errorOf('name')} />
        <TextField
          label="Contact"
          required
          value={draft.contact}
          onChange={text('contact')}
          hint="Its privacy or DPO contact."
          error={errorOf('contact')}
        />
        <CountryField
          label="Country"
          required
          value={draft.country}
          onChange={(country) => onChange({ ...draft, country })}
          error={errorOf('country')}
        />
      </div>
      <div className="form-row">
        <SelectField
          label="Role"
          value={draft.role}
          onChange={(event) => onChange({ ...draft, role: event.target.value as ProcessorRole })}
          options={Object.entries(processorRoleLabels).map(([value, label]) => ({ value, label }))}
          error={errorOf('role')}
        />
        <SelectField
          label="Engaged by"
          value={draft.parentId}
          onChange={(event) => onChange({ ...draft, parentId: event.target.value })}
          options={[
            { value: '', label: 'The organization directly' },
            ...map.processors
              .filter((processor) => !excluded.has(processor.id))
              .map((processor) => ({ value: processor.id, label: processor.name })),
          ]}
          hint="For a sub-processor: the processor that engaged it."
          error={errorOf('parentId')}
        />
      </div>
      <fieldset>
        <legend>Data processing agreement</legend>
        <CheckboxField
          label="A DPA is signed"
          checked={draft.hasDpa}
          onChange={(event) => onChange({ ...draft, hasDpa: event.target.checked })}
        />
        {draft.hasDpa ? (
          <div className="form-row">
            <TextField
              label="Signed on"
              type="date"
              required
              value={draft.signedAt}
              onChange={text('signedAt')}
              error={errorOf('dpa.signedAt')}
            />
            <TextField
              label="Version"
              required
              value={draft.version}
              onChange={text('version')}
              error={errorOf('dpa.version')}
            />
            <TextField
              label="Review by"
              type="date"
              value={draft.reviewAt}
              onChange={text('reviewAt')}
              hint="Past this date the DPA counts as expired."
              error={errorOf('dpa.reviewAt')}
            />
            <TextField
              label="Document reference"
              required
              value={draft.reference}
              onChange={text('reference')}
              hint="Where the signed copy is kept."
              error={errorOf('dpa.reference')}
            />
          </div>
        ) : null}
      </fieldset>
    </>
  );
}

function ProcessorForm({
  map,
  processor,
  onDone,
  onCancel,
}: {
  map: DataMap;
  processor?: ProcessorEntry;
  onDone: (name: string) => Promise<void>;
  onCancel?: () => void;
}) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState(() => (processor ? draftOf(processor) : emptyDraft));
  const save = useAction(async () => {
    if (processor) await api.patch(entryPath('processors', processor.id), bodyOf(draft));
    else await api.post(inventoryPaths.processors, bodyOf(draft));
    if (!processor) setDraft(emptyDraft);
    await onDone(draft.name.trim());
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }
  return (
    <form
      className="form form-wide"
      onSubmit={submit}
      noValidate
      aria-label={processor ? `Edit ${processor.name}` : 'New processor'}
    >
      <ErrorAlert error={save.error} />
      <ProcessorFields
        draft={draft}
        onChange={setDraft}
        error={save.error}
        map={map}
        editingId={processor?.id}
      />
      <div className="button-row">
        <Button type="submit" variant="primary" busy={save.busy}>
          {processor ? 'Save changes' : 'Add processor'}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}

function ProcessorItem({
  processor,
  map,
  manage,
  onChanged,
}: {
  processor: ProcessorEntry;
  map: DataMap;
  manage: boolean;
  onChanged: (message: string) => Promise<void>;
}) {
  const { api } = useSignedIn();
  const [editing, setEditing] = useState(false);
  const systems = map.systems.filter((system) => system.processorId === processor.id);
  const subProcessors = map.processors.filter((entry) => entry.parentId === processor.id);
  const parent = map.processors.find((entry) => entry.id === processor.parentId);
  return (
    <li>
      <div className="list-row">
        <span>
          <strong>{processor.name}</strong> <DpaBadge processor={processor} />
        </span>
        {manage && !editing ? (
          <span className="button-row">
            <Button variant="ghost" onClick={() => setEditing(true)}>
              Edit<span className="visually-hidden"> {processor.name}</span>
            </Button>
            <ActionDialog
              trigger={`Delete ${processor.name}`}
              title={`Delete ${processor.name}?`}
              submitLabel="Delete processor"
              variant="danger"
              description={<p>It leaves the map; systems it operated are then run by the organization.</p>}
              onSubmit={async () => {
                await api.delete(entryPath('processors', processor.id));
                await onChanged(`${processor.name} was deleted.`);
              }}
            />
          </span>
        ) : null}
      </div>
      {editing ? (
        <ProcessorForm
          map={map}
          processor={processor}
          onCancel={() => setEditing(false)}
          onDone={async (name) => {
            setEditing(false);
            await onChanged(`${name} was saved.`);
          }}
        />
      ) : (
        <p className="muted">
          {processorRoleLabels[processor.role]} in {countryName(processor.country)} · {processor.contact}
          {parent ? ` · engaged by ${parent.name}` : ''}
          {processor.dpa
            ? ` · DPA${processor.dpa.version ? ` version ${processor.dpa.version}` : ''} signed ${formatDate(processor.dpa.signedAt)}${
                processor.dpa.reviewAt ? `, review by ${formatDate(processor.dpa.reviewAt)}` : ''
              }${processor.dpa.reference ? ` (${processor.dpa.reference})` : ''}`
            : ''}
        </p>
      )}
      {systems.length > 0 ? (
        <p>
          Operates:{' '}
          {systems.map((system, index) => (
            <span key={system.id}>
              {index > 0 ? ', ' : ''}
              <Link to={systemLink(system)}>{system.name}</Link>
            </span>
          ))}
        </p>
      ) : null}
      {subProcessors.length > 0 ? (
        <p>Sub-processors: {subProcessors.map((entry) => entry.name).join(', ')}</p>
      ) : null}
    </li>
  );
}

export function ProcessorsView() {
  useTitle('Processors · Data map', 'Custos console');
  const map = useDataMap();
  const manage = useManage();
  const [notice, setNotice] = useState<string>();
  const [open, setOpen] = useState(false);
  async function changed(message: string) {
    setNotice(message);
    await map.reload();
  }
  return (
    <LoadState loaded={map} label="Loading the processors…">
      {(data) => (
        <>
          {manage ? (
            <Card title="Add a processor">
              <details open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
                <summary>A processor, sub-processor or other party receiving personal data</summary>
                <ProcessorForm
                  map={data}
                  onDone={async (name) => {
                    setOpen(false);
                    await changed(`${name} was added.`);
                  }}
                />
              </details>
            </Card>
          ) : null}
          <Card title="Processors and vendors">
            {notice ? <Alert tone="success">{notice}</Alert> : null}
            {data.processors.length === 0 ? (
              <Empty>No processors registered.</Empty>
            ) : (
              <ul className="list">
                {data.processors.map((processor) => (
                  <ProcessorItem
                    key={processor.id}
                    processor={processor}
                    map={data}
                    manage={manage}
                    onChanged={changed}
                  />
                ))}
              </ul>
            )}
          </Card>
        </>
      )}
    </LoadState>
  );
}
