/** One system or data asset: everything the map knows of it, where it comes from, and (if typed in) its form. */
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { formatDateTime, humanize } from '../../shared/format';
import { useAction, useTitle } from '../../shared/hooks';
import { Alert, Button, Card, ErrorAlert, Facts, LoadState, TableWrap } from '../../shared/ui';
import { ActionDialog } from '../action-dialog';
import { useSignedIn } from '../session';
import type { DataMap, SystemEntry } from '../types';
import {
  Countries,
  derivedFrom,
  KeyList,
  OriginBadge,
  originLabels,
  retentionLabel,
  useDataMap,
  useManage,
} from './common';
import { entryPath } from './inventory-api';
import { SystemFields, systemBodyOf, systemDraftOf, systemKindLabels } from './system-form';
import { SecretDialog } from './systems';

function retentionText(system: SystemEntry, map: DataMap): string {
  if (!system.retention) return 'None set';
  const policy = map.retention.find((item) => item.id === system.retention?.policyId);
  const parts = [policy ? retentionLabel(policy) : '', system.retention.period ?? ''];
  return parts.filter(Boolean).join(' · ') || 'None set';
}

function SystemFacts({ system, map }: { system: SystemEntry; map: DataMap }) {
  const operator = map.processors.find((processor) => processor.id === system.processorId);
  const access = system.accessControls;
  return (
    <Facts
      items={[
        ['Origin', `${originLabels[system.origin]}. ${derivedFrom(system)}`],
        ['Owner', system.owner || '—'],
        ['Kind', systemKindLabels[system.kind] ?? humanize(system.kind)],
        ['Description', system.description || '—'],
        ['Data categories', <KeyList key="categories" keys={system.dataCategories} kind="data_category" />],
        ['Data subjects', <KeyList key="subjects" keys={system.dataSubjects} kind="data_subject" />],
        ['Locations', <Countries key="locations" codes={system.locations} />],
        ['Must not leave', <Countries key="restrictions" codes={system.geographicRestrictions} />],
        ['Classification', humanize(system.classification)],
        ['Encryption required', system.encryptionRequired ? 'Yes' : 'No'],
        ['Retention', retentionText(system, map)],
        [
          'Access controls',
          [
            access.roles.length > 0 ? `Roles: ${access.roles.join(', ')}` : '',
            access.permissions.length > 0 ? `Permissions: ${access.permissions.join(', ')}` : '',
            access.notes,
          ]
            .filter(Boolean)
            .join(' · ') || '—',
        ],
        [
          'Operated by',
          operator ? (
            <Link key="operator" to="/data-map/processors">
              {operator.name}
            </Link>
          ) : (
            'The organization'
          ),
        ],
        [
          'Tasks',
          system.fulfilment
            ? `${system.fulfilment.enabled ? 'Sent' : 'Paused'} to ${system.fulfilment.endpointUrl}`
            : 'Receives no erasure, rectification or restriction tasks',
        ],
        ['Updated', formatDateTime(system.updatedAt)],
      ]}
    />
  );
}

/** A collection asset's fields, as the collection defines them, and whether Custos seals each. */
function AssetFields({ system }: { system: SystemEntry }) {
  if (!system.fields) return null;
  return (
    <Card title="Fields">
      <TableWrap label={`Fields of ${system.name}`}>
        <table>
          <caption className="visually-hidden">Fields of {system.name}</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Data category</th>
              <th scope="col">Classification</th>
              <th scope="col">Stored</th>
            </tr>
          </thead>
          <tbody>
            {system.fields.map((field) => (
              <tr key={field.name}>
                <td className="mono">{field.name}</td>
                <td className="mono">{field.dataCategory}</td>
                <td>{humanize(field.classification)}</td>
                <td>{field.encrypted ? 'Encrypted' : 'In clear'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </Card>
  );
}

function EditSystem({
  system,
  map,
  onSaved,
  onCancel,
}: {
  system: SystemEntry;
  map: DataMap;
  onSaved: () => Promise<void>;
  onCancel: () => void;
}) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState(() => systemDraftOf(system));
  const [secret, setSecret] = useState<string>();
  const save = useAction(async () => {
    const saved = await api.patch<{ secret: string | null }>(
      entryPath('systems', system.id),
      systemBodyOf(draft),
    );
    // Tasks turned on for the first time made an endpoint, whose secret is shown this once.
    if (saved.secret) setSecret(saved.secret);
    else await onSaved();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }
  return (
    <form className="form form-wide" onSubmit={submit} noValidate aria-label={`Edit ${system.name}`}>
      <ErrorAlert error={save.error} />
      <SystemFields
        draft={draft}
        onChange={setDraft}
        error={save.error}
        map={map}
        hasEndpoint={system.fulfilment !== null}
      />
      <div className="button-row">
        <Button type="submit" variant="primary" busy={save.busy}>
          Save changes
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
      <SecretDialog
        secret={secret}
        onClose={() => {
          setSecret(undefined);
          void onSaved();
        }}
      />
    </form>
  );
}

export function SystemDetailView() {
  const { id = '' } = useParams();
  const { api } = useSignedIn();
  const navigate = useNavigate();
  const map = useDataMap();
  const manage = useManage();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string>();
  const system = map.data?.systems.find((entry) => entry.id === id);
  useTitle(`${system?.name ?? 'System'} · Data map`, 'Custos console');
  return (
    <LoadState loaded={map} label="Loading the system…">
      {(data) =>
        !system ? (
          <Alert tone="warning" title="No such system">
            It may have been deleted. <Link to="/data-map/systems">Back to the systems</Link>
          </Alert>
        ) : (
          <>
            <Card
              title={system.name}
              actions={
                manage && system.origin === 'registered' && !editing ? (
                  <span className="button-row">
                    <Button onClick={() => setEditing(true)}>Edit</Button>
                    <ActionDialog
                      trigger="Delete"
                      title={`Delete ${system.name}?`}
                      submitLabel="Delete system"
                      variant="danger"
                      description={
                        <p>
                          The system leaves the map, and its task endpoint is deleted. A system that was
                          already sent tasks stays on record: pause its tasks instead.
                        </p>
                      }
                      onSubmit={async () => {
                        await api.delete(entryPath('systems', system.id));
                        navigate('/data-map/systems');
                      }}
                    />
                  </span>
                ) : (
                  <OriginBadge system={system} />
                )
              }
            >
              {notice ? <Alert tone="success">{notice}</Alert> : null}
              {system.origin !== 'registered' ? (
                <Alert tone="info" title="Derived, read-only">
                  {derivedFrom(system)}
                </Alert>
              ) : null}
              {editing ? (
                <EditSystem
                  system={system}
                  map={data}
                  onCancel={() => setEditing(false)}
                  onSaved={async () => {
                    setEditing(false);
                    setNotice(`${system.name} was saved.`);
                    await map.reload();
                  }}
                />
              ) : (
                <SystemFacts system={system} map={data} />
              )}
            </Card>
            <AssetFields system={system} />
          </>
        )
      }
    </LoadState>
  );
}
