import { type FormEvent, useState } from 'react';
import { InputError } from '../../shared/api';
import { formatDate, formatDateTime } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  CheckboxField,
  Dialog,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  ShownOnce,
  TableWrap,
  TextField,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { ApiKey, PermissionMatrix } from '../types';

function keyStatus(key: ApiKey): { text: string; tone: string } {
  if (key.revokedAt) return { text: 'Revoked', tone: 'neutral' };
  if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) return { text: 'Expired', tone: 'warning' };
  return { text: 'Active', tone: 'success' };
}

function CreateKey({ onCreated }: { onCreated: () => Promise<void> }) {
  const { api, me } = useSignedIn();
  const matrix = useLoad(() => api.get<PermissionMatrix>('/v1/permissions'), [api]);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [secret, setSecret] = useState<string>();
  const create = useAction(async () => {
    if (chosen.length === 0) throw new InputError('Choose at least one permission for the key.');
    const created = await api.post<{ key: string; apiKey: ApiKey }>('/v1/api-keys', {
      name,
      permissions: chosen,
      ...(expires ? { expiresAt: `${expires}T23:59:59Z` } : {}),
    });
    setSecret(created.key);
    setName('');
    setChosen([]);
    setExpires('');
    await onCreated();
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }

  return (
    <Card title="Create an API key">
      <LoadState loaded={matrix}>
        {(data) => {
          // A key may carry what the service role allows and the creator holds, nothing more.
          const grantable = (data.roles.service?.permissions ?? []).filter((permission) =>
            me.permissions.includes(permission),
          );
          return (
            <form className="form form-wide" onSubmit={submit}>
              <ErrorAlert error={create.error} />
              <div className="form-row">
                <TextField
                  label="Name"
                  required
                  maxLength={100}
                  value={name}
                  onChange={(event) => setName(event.target.value)}
                  hint="What uses the key, e.g. “Shop backend”."
                />
                <TextField
                  label="Expires on (optional)"
                  type="date"
                  value={expires}
                  onChange={(event) => setExpires(event.target.value)}
                />
              </div>
              <fieldset>
                <legend>Permissions</legend>
                <div className="checkbox-grid">
                  {grantable.map((permission) => (
                    <CheckboxField
                      key={permission}
                      label={<span className="mono">{permission}</span>}
                      hint={data.permissions[permission]}
                      checked={chosen.includes(permission)}
                      onChange={(event) =>
                        setChosen(
                          event.target.checked
                            ? [...chosen, permission]
                            : chosen.filter((item) => item !== permission),
                        )
                      }
                    />
                  ))}
                </div>
              </fieldset>
              <div>
                <Button type="submit" variant="primary" busy={create.busy}>
                  Create key
                </Button>
              </div>
            </form>
          );
        }}
      </LoadState>
      <Dialog open={secret !== undefined} title="Your new API key" onClose={() => setSecret(undefined)}>
        <Alert tone="warning" title="Shown only now">
          Store the key in your application’s secret store. Custos keeps only a digest and cannot show it
          again.
        </Alert>
        <ShownOnce label="API key" value={secret ?? ''} />
        <div className="dialog-footer">
          <Button variant="primary" onClick={() => setSecret(undefined)} data-autofocus>
            I have stored it
          </Button>
        </div>
      </Dialog>
    </Card>
  );
}

/** API keys for applications: list, create (secret shown once), revoke. */
export function ApiKeysPage() {
  const { api, can } = useSignedIn();
  useTitle('API keys', 'Custos console');
  const keys = useLoad(() => api.get<{ items: ApiKey[] }>('/v1/api-keys'), [api]);
  const [revoking, setRevoking] = useState<ApiKey>();
  const revoke = useAction(async (key: ApiKey) => {
    await api.delete(`/v1/api-keys/${key.id}`);
    setRevoking(undefined);
    await keys.reload();
  });
  return (
    <>
      <PageHeader
        title="API keys"
        description="Applications call the API with a key as a bearer token. A key holds a subset of the service role and never more than its creator."
      />
      {can('api_keys.manage') ? <CreateKey onCreated={keys.reload} /> : null}
      <Card title="Keys">
        <LoadState loaded={keys}>
          {(data) =>
            data.items.length === 0 ? (
              <Empty>No API keys yet.</Empty>
            ) : (
              <TableWrap label="API keys">
                <table>
                  <caption className="visually-hidden">API keys</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Prefix</th>
                      <th scope="col">Status</th>
                      <th scope="col">Permissions</th>
                      <th scope="col">Created</th>
                      <th scope="col">Expires</th>
                      <th scope="col">Last used</th>
                      {can('api_keys.manage') ? (
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      ) : null}
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((key) => {
                      const status = keyStatus(key);
                      return (
                        <tr key={key.id}>
                          <td>{key.name}</td>
                          <td className="mono">{key.prefix}</td>
                          <td>
                            <Badge tone={status.tone}>{status.text}</Badge>
                          </td>
                          <td>
                            <details>
                              <summary>{key.permissions.length} permissions</summary>
                              <ul className="key-values mono">
                                {key.permissions.map((permission) => (
                                  <li key={permission}>{permission}</li>
                                ))}
                              </ul>
                            </details>
                          </td>
                          <td className="nowrap">{formatDate(key.createdAt)}</td>
                          <td className="nowrap">{formatDate(key.expiresAt)}</td>
                          <td className="nowrap">{formatDateTime(key.lastUsedAt)}</td>
                          {can('api_keys.manage') ? (
                            <td>
                              {key.revokedAt ? null : (
                                <Button variant="ghost" onClick={() => setRevoking(key)}>
                                  Revoke<span className="visually-hidden"> {key.name}</span>
                                </Button>
                              )}
                            </td>
                          ) : null}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </TableWrap>
            )
          }
        </LoadState>
      </Card>
      <Dialog
        open={revoking !== undefined}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        onClose={() => setRevoking(undefined)}
      >
        <p>Applications using this key get 401 from now on. This cannot be undone.</p>
        <ErrorAlert error={revoke.error} />
        <div className="dialog-footer">
          <Button onClick={() => setRevoking(undefined)} data-autofocus>
            Cancel
          </Button>
          <Button variant="danger" busy={revoke.busy} onClick={() => revoking && void revoke.run(revoking)}>
            Revoke key
          </Button>
        </div>
      </Dialog>
    </>
  );
}
