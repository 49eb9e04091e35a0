import { type FormEvent, useState } from 'react';
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
import { useSignedIn } from '../session';

type DownstreamSystem = {
  id: string;
  name: string;
  owner: string;
  description: string;
  dataCategories: string[];
  enabled: boolean;
  endpoint: { id: string; url: string; enabled: boolean };
  createdAt: string;
  updatedAt: string;
};

function RegisterSystem({ onCreated }: { onCreated: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState({ name: '', owner: '', description: '', categories: '', url: '' });
  const [secret, setSecret] = useState<string>();
  const set = (name: keyof typeof draft) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: event.target.value });
  const create = useAction(async () => {
    const created = await api.post<{ secret: string }>('/v1/systems', {
      name: draft.name,
      owner: draft.owner,
      ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
      dataCategories: draft.categories
        .split(/[\s,]+/)
        .map((item) => item.trim())
        .filter(Boolean),
      endpointUrl: draft.url,
    });
    setSecret(created.secret);
    setDraft({ name: '', owner: '', description: '', categories: '', url: '' });
    await onCreated();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }
  return (
    <Card title="Register a system">
      <details>
        <summary>Add a system that holds copies of personal data</summary>
        <form className="form form-wide" onSubmit={submit}>
          <ErrorAlert error={create.error} />
          <div className="form-row">
            <TextField label="Name" required value={draft.name} onChange={set('name')} placeholder="CRM" />
            <TextField
              label="Owner"
              required
              value={draft.owner}
              onChange={set('owner')}
              hint="The team or role answering for it."
            />
          </div>
          <TextField label="Description" value={draft.description} onChange={set('description')} />
          <div className="form-row">
            <TextField
              label="Data categories"
              required
              value={draft.categories}
              onChange={set('categories')}
              hint="Taxonomy keys, comma-separated, e.g. user.contact.email"
            />
            <TextField
              label="Task endpoint URL"
              type="url"
              required
              value={draft.url}
              onChange={set('url')}
              hint="Erasure, rectification and restriction tasks are sent here, signed."
            />
          </div>
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

/**
 * Downstream systems: the other places personal data lives. Erasure, rectification and restriction
 * requests send each system holding the affected categories a task, whose status shows on the request.
 */
export function SystemsPage() {
  const { api, can } = useSignedIn();
  useTitle('Downstream systems', 'Custos console');
  const systems = useLoad(() => api.get<{ items: DownstreamSystem[] }>('/v1/systems'), [api]);
  const manage = can('systems.manage');
  const toggle = useAction(async (system: DownstreamSystem) => {
    await api.patch(`/v1/systems/${system.id}`, { enabled: !system.enabled });
    await systems.reload();
  });
  const remove = useAction(async (system: DownstreamSystem) => {
    await api.delete(`/v1/systems/${system.id}`);
    await systems.reload();
  });
  return (
    <>
      <PageHeader
        title="Downstream systems"
        description="Systems that hold copies of personal data. When a request erases, corrects or restricts data in their categories, each is sent a task and must confirm it."
      />
      {manage ? <RegisterSystem onCreated={systems.reload} /> : null}
      <Card title="Systems">
        <ErrorAlert error={toggle.error ?? remove.error} />
        <LoadState loaded={systems}>
          {(data) =>
            data.items.length === 0 ? (
              <Empty>No downstream systems registered.</Empty>
            ) : (
              <ul className="list">
                {data.items.map((system) => (
                  <li key={system.id}>
                    <div className="list-row">
                      <span>
                        <strong>{system.name}</strong>{' '}
                        <Badge tone={system.enabled ? 'success' : 'neutral'}>
                          {system.enabled ? 'Enabled' : 'Disabled'}
                        </Badge>
                      </span>
                      {manage ? (
                        <span className="button-row">
                          <Button variant="ghost" busy={toggle.busy} onClick={() => void toggle.run(system)}>
                            {system.enabled ? 'Disable' : 'Enable'}
                            <span className="visually-hidden"> {system.name}</span>
                          </Button>
                          <Button variant="ghost" busy={remove.busy} onClick={() => void remove.run(system)}>
                            Delete<span className="visually-hidden"> {system.name}</span>
                          </Button>
                        </span>
                      ) : null}
                    </div>
                    <p className="muted">
                      Owner: {system.owner} · categories:{' '}
                      <span className="mono">{system.dataCategories.join(', ')}</span> · tasks to{' '}
                      <span className="mono">{system.endpoint.url}</span> · since{' '}
                      {formatDate(system.createdAt)}
                    </p>
                    {system.description ? <p>{system.description}</p> : null}
                  </li>
                ))}
              </ul>
            )
          }
        </LoadState>
      </Card>
    </>
  );
}
