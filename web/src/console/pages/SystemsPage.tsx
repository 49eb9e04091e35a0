import { type FormEvent, useState } from 'react';
import { ApiError, InputError } from '../../shared/api';
import { formatDate } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  Dialog,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  ShownOnce,
  TextField,
} from '../../shared/ui';
import { ActionDialog } from '../action-dialog';
import { useSignedIn } from '../session';
import { TaxonomyPicker, withPending } from '../taxonomy';

/** A system of the inventory (`GET /v1/inventory/systems`); this page shows those sent tasks. */
type InventorySystem = {
  id: string;
  name: string;
  owner: string;
  description: string;
  dataCategories: string[];
  fulfilment: { endpointId: string; endpointUrl: string; enabled: boolean } | null;
  createdAt: string;
  updatedAt: string;
};

type DownstreamSystem = Omit<InventorySystem, 'fulfilment'> & { enabled: boolean; endpointUrl: string };

/** The registered systems with an endpoint, which erasure, rectification and restriction send tasks. */
function downstreamOf(items: InventorySystem[]): DownstreamSystem[] {
  return items.flatMap(({ fulfilment, ...system }) =>
    fulfilment ? [{ ...system, enabled: fulfilment.enabled, endpointUrl: fulfilment.endpointUrl }] : [],
  );
}

type Draft = {
  name: string;
  owner: string;
  description: string;
  categories: string[];
  pendingCategories: string;
  url: string;
};

const emptyDraft: Draft = {
  name: '',
  owner: '',
  description: '',
  categories: [],
  pendingCategories: '',
  url: '',
};

function draftOf(system: DownstreamSystem): Draft {
  return {
    name: system.name,
    owner: system.owner,
    description: system.description,
    categories: system.dataCategories,
    pendingCategories: '',
    url: system.endpointUrl,
  };
}

/** The system as the API takes it (`POST /v1/inventory/systems`, `PATCH /v1/inventory/systems/{id}`). */
function bodyOf(draft: Draft) {
  const dataCategories = withPending(draft.categories, draft.pendingCategories);
  if (dataCategories.length === 0) throw new InputError('Choose at least one data category it holds.');
  return {
    name: draft.name.trim(),
    owner: draft.owner.trim(),
    description: draft.description.trim(),
    dataCategories,
    endpointUrl: draft.url.trim(),
  };
}

function fieldError(error: unknown, path: string): string | undefined {
  return error instanceof ApiError ? error.fieldError(path) : undefined;
}

/** Name, owner, description, the data categories it holds and where its tasks are sent. */
function SystemFields({
  draft,
  onChange,
  error,
}: {
  draft: Draft;
  onChange: (draft: Draft) => void;
  error: unknown;
}) {
  const set = (name: 'name' | 'owner' | 'description' | 'url') => (event: { target: { value: string } }) =>
    onChange({ ...draft, [name]: event.target.value });
  return (
    <>
      <div className="form-row">
        <TextField
          label="Name"
          required
          value={draft.name}
          onChange={set('name')}
          placeholder="CRM"
          error={fieldError(error, 'name')}
        />
        <TextField
          label="Owner"
          required
          value={draft.owner}
          onChange={set('owner')}
          hint="The team or role answering for it (not a person’s contact details)."
          error={fieldError(error, 'owner')}
        />
      </div>
      <TextField label="Description" value={draft.description} onChange={set('description')} />
      <TaxonomyPicker
        kind="data_category"
        legend="Data categories it holds"
        addLabel="Add a data category"
        hint="Requests that erase, correct or restrict these categories send the system a task."
        value={draft.categories}
        pending={draft.pendingCategories}
        onChange={(next) => onChange({ ...draft, categories: next.value, pendingCategories: next.pending })}
        error={fieldError(error, 'dataCategories')}
      />
      <TextField
        label="Task endpoint URL"
        type="url"
        required
        value={draft.url}
        onChange={set('url')}
        hint="Erasure, rectification and restriction tasks are sent here, signed."
        error={fieldError(error, 'endpointUrl')}
      />
    </>
  );
}

function RegisterSystem({ onCreated }: { onCreated: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [secret, setSecret] = useState<string>();
  const create = useAction(async () => {
    const created = await api.post<{ secret: string }>('/v1/inventory/systems', bodyOf(draft));
    setSecret(created.secret);
    setDraft(emptyDraft);
    setOpen(false);
    await onCreated();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }
  return (
    <Card title="Register a system">
      <details open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>Add a system that holds copies of personal data</summary>
        <form className="form form-wide" onSubmit={submit} noValidate>
          <ErrorAlert error={create.error} />
          <SystemFields draft={draft} onChange={setDraft} error={create.error} />
          <div>
            <Button type="submit" variant="primary" busy={create.busy}>
              Register system
            </Button>
          </div>
        </form>
      </details>
      <Dialog
        open={secret !== undefined}
        title="The system’s signing secret"
        onClose={() => setSecret(undefined)}
      >
        <Alert tone="warning" title="Shown only now">
          The system verifies its tasks’ signatures with this secret.
        </Alert>
        <ShownOnce label="Signing secret" value={secret ?? ''} />
        <div className="dialog-footer">
          <Button variant="primary" onClick={() => setSecret(undefined)} data-autofocus>
            I have stored it
          </Button>
        </div>
      </Dialog>
    </Card>
  );
}

function EditSystem({
  system,
  onSaved,
  onCancel,
}: {
  system: DownstreamSystem;
  onSaved: () => Promise<void>;
  onCancel: () => void;
}) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState<Draft>(() => draftOf(system));
  const save = useAction(async () => {
    await api.patch(`/v1/inventory/systems/${system.id}`, bodyOf(draft));
    await onSaved();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }
  return (
    <section className="edit-form" aria-label={`Edit ${system.name}`}>
      <form className="form form-wide" onSubmit={submit} noValidate>
        <ErrorAlert error={save.error} />
        <SystemFields draft={draft} onChange={setDraft} error={save.error} />
        <div className="button-row">
          <Button type="submit" variant="primary" busy={save.busy}>
            Save changes
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </form>
    </section>
  );
}

function SystemItem({
  system,
  manage,
  onChanged,
}: {
  system: DownstreamSystem;
  manage: boolean;
  onChanged: (message?: string) => Promise<void>;
}) {
  const { api } = useSignedIn();
  const [editing, setEditing] = useState(false);
  const toggle = useAction(async () => {
    await api.patch(`/v1/inventory/systems/${system.id}`, { enabled: !system.enabled });
    await onChanged(`${system.name} is ${system.enabled ? 'disabled' : 'enabled'}.`);
  });
  return (
    <li>
      <div className="list-row">
        <span>
          <strong>{system.name}</strong>{' '}
          <Badge tone={system.enabled ? 'success' : 'neutral'}>
            {system.enabled ? 'Enabled' : 'Disabled'}
          </Badge>
        </span>
        {manage && !editing ? (
          <span className="button-row">
            <Button variant="ghost" onClick={() => setEditing(true)}>
              Edit<span className="visually-hidden"> {system.name}</span>
            </Button>
            <Button variant="ghost" busy={toggle.busy} onClick={() => void toggle.run()}>
              {system.enabled ? 'Disable' : 'Enable'}
              <span className="visually-hidden"> {system.name}</span>
            </Button>
            <ActionDialog
              trigger={`Delete ${system.name}`}
              title={`Delete ${system.name}?`}
              submitLabel="Delete system"
              variant="danger"
              description={
                <p>
                  The system and its webhook endpoint are deleted. A system that was already sent tasks stays
                  on record: disable it instead.
                </p>
              }
              onSubmit={async () => {
                await api.delete(`/v1/inventory/systems/${system.id}`);
                await onChanged(`${system.name} was deleted.`);
              }}
            />
          </span>
        ) : null}
      </div>
      <ErrorAlert error={toggle.error} />
      {editing ? (
        <EditSystem
          system={system}
          onCancel={() => setEditing(false)}
          onSaved={async () => {
            setEditing(false);
            await onChanged(`${system.name} was saved.`);
          }}
        />
      ) : (
        <>
          <p className="muted">
            Owner: {system.owner} · categories:{' '}
            <span className="mono">{system.dataCategories.join(', ')}</span> · tasks to{' '}
            <span className="mono">{system.endpointUrl}</span> · since {formatDate(system.createdAt)}
          </p>
          {system.description ? <p>{system.description}</p> : null}
        </>
      )}
    </li>
  );
}

/**
 * Downstream systems: the other places personal data lives. Erasure, rectification and restriction
 * requests send each system holding the affected categories a task, whose status shows on the request.
 */
export function SystemsPage() {
  const { api, can } = useSignedIn();
  useTitle('Downstream systems', 'Custos console');
  const systems = useLoad(
    async () => ({
      items: downstreamOf((await api.get<{ items: InventorySystem[] }>('/v1/inventory/systems')).items),
    }),
    [api],
  );
  const manage = can('inventory.manage');
  const [notice, setNotice] = useState<string>();
  async function changed(message?: string) {
    setNotice(message);
    await systems.reload();
  }
  return (
    <>
      <PageHeader
        title="Downstream systems"
        description="Systems that hold copies of personal data. When a request erases, corrects or restricts data in their categories, each is sent a task and must confirm it."
      />
      {manage ? <RegisterSystem onCreated={() => changed()} /> : null}
      <Card title="Systems">
        {notice ? <Alert tone="success">{notice}</Alert> : null}
        <LoadState loaded={systems}>
          {(data) =>
            data.items.length === 0 ? (
              <Empty>No downstream systems registered.</Empty>
            ) : (
              <ul className="list">
                {data.items.map((system) => (
                  <SystemItem key={system.id} system={system} manage={manage} onChanged={changed} />
                ))}
              </ul>
            )
          }
        </LoadState>
      </Card>
    </>
  );
}
