/**
 * Systems and data assets: Custos itself and its collections (derived, read-only, updated when their
 * source changes) beside the systems a person registers, including those requests send tasks to.
 */
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { humanize } from '../../shared/format';
import { useAction, useTitle } from '../../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  Dialog,
  Empty,
  ErrorAlert,
  LoadState,
  ShownOnce,
  TableWrap,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { DataMap, SystemEntry } from '../types';
import { Countries, OriginBadge, useDataMap, useManage } from './common';
import { inventoryPaths } from './inventory-api';
import { emptySystemDraft, SystemFields, systemBodyOf, systemKindLabels } from './system-form';

export function systemLink(system: Pick<SystemEntry, 'id'>): string {
  return `/data-map/systems/${encodeURIComponent(system.id)}`;
}

/** The signing secret of a new task endpoint, shown once as the API answers it only at creation. */
export function SecretDialog({ secret, onClose }: { secret: string | undefined; onClose: () => void }) {
  return (
    <Dialog open={secret !== undefined} title="The system’s signing secret" onClose={onClose}>
      <Alert tone="warning" title="Shown only now">
        The system verifies its tasks’ signatures with this secret.
      </Alert>
      <ShownOnce label="Signing secret" value={secret ?? ''} />
      <div className="dialog-footer">
        <Button variant="primary" onClick={onClose} data-autofocus>
          I have stored it
        </Button>
      </div>
    </Dialog>
  );
}

function RegisterSystem({ map, onCreated }: { map: DataMap; onCreated: (name: string) => Promise<void> }) {
  const { api } = useSignedIn();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(emptySystemDraft);
  const [secret, setSecret] = useState<string>();
  const create = useAction(async () => {
    const created = await api.post<{ secret: string | null }>(inventoryPaths.systems, systemBodyOf(draft));
    if (created.secret) setSecret(created.secret);
    setDraft(emptySystemDraft);
    setOpen(false);
    await onCreated(draft.name.trim());
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }
  return (
    <Card title="Register a system">
      <details open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>Add a system, database, SaaS or paper file that holds personal data</summary>
        <form className="form form-wide" onSubmit={submit} noValidate>
          <ErrorAlert error={create.error} />
          <SystemFields draft={draft} onChange={setDraft} error={create.error} map={map} />
          <div>
            <Button type="submit" variant="primary" busy={create.busy}>
              Register system
            </Button>
          </div>
        </form>
      </details>
      <SecretDialog secret={secret} onClose={() => setSecret(undefined)} />
    </Card>
  );
}

function SystemRow({ system, map }: { system: SystemEntry; map: DataMap }) {
  const operator = map.processors.find((processor) => processor.id === system.processorId);
  return (
    <tr>
      <td>
        <Link className="row-link" to={systemLink(system)}>
          {system.name}
        </Link>
        <br />
        <OriginBadge system={system} />
      </td>
      <td>{systemKindLabels[system.kind] ?? humanize(system.kind)}</td>
      <td>{system.dataCategories.length}</td>
      <td>
        <Countries codes={system.locations} />
      </td>
      <td>{humanize(system.classification)}</td>
      <td>{operator?.name ?? '—'}</td>
      <td>
        {system.fulfilment ? (
          <Badge tone={system.fulfilment.enabled ? 'success' : 'neutral'}>
            {system.fulfilment.enabled ? 'Receives tasks' : 'Tasks paused'}
          </Badge>
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}

export function SystemsView() {
  useTitle('Systems & assets · Data map', 'Custos console');
  const map = useDataMap();
  const manage = useManage();
  const [notice, setNotice] = useState<string>();
  return (
    <LoadState loaded={map} label="Loading the data map…">
      {(data) => (
        <>
          {manage ? (
            <RegisterSystem
              map={data}
              onCreated={async (name) => {
                setNotice(`${name} was registered.`);
                await map.reload();
              }}
            />
          ) : null}
          <Card title="Systems and data assets">
            {notice ? <Alert tone="success">{notice}</Alert> : null}
            <p className="muted">
              Custos itself and each vault collection are derived from their definitions and change with them;
              registered systems are typed in here.
            </p>
            {data.systems.length === 0 ? (
              <Empty>No systems yet.</Empty>
            ) : (
              <TableWrap label="Systems and data assets">
                <table>
                  <caption className="visually-hidden">Systems and data assets</caption>
                  <thead>
                    <tr>
                      <th scope="col">System</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Categories</th>
                      <th scope="col">Locations</th>
                      <th scope="col">Classification</th>
                      <th scope="col">Operated by</th>
                      <th scope="col">Tasks</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.systems.map((system) => (
                      <SystemRow key={system.id} system={system} map={data} />
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
          </Card>
        </>
      )}
    </LoadState>
  );
}
