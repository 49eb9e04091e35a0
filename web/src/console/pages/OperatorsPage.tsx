import { type FormEvent, useState } from 'react';
import { InputError } from '../../shared/api';
import { formatDate, formatDateTime, humanize } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  CheckboxField,
  Dialog,
  ErrorAlert,
  LoadState,
  PageHeader,
  SelectField,
  ShownOnce,
  TableWrap,
  TextField,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { Operator, PermissionMatrix } from '../types';

const operatorRoles = ['admin', 'dpo', 'privacy_agent', 'auditor', 'security'];

function RolePicker({
  matrix,
  chosen,
  onChange,
}: {
  matrix: PermissionMatrix;
  chosen: string[];
  onChange: (roles: string[]) => void;
}) {
  return (
    <fieldset>
      <legend>Roles</legend>
      {operatorRoles.map((role) => (
        <CheckboxField
          key={role}
          label={humanize(role)}
          hint={matrix.roles[role]?.description}
          checked={chosen.includes(role)}
          onChange={(event) =>
            onChange(event.target.checked ? [...chosen, role] : chosen.filter((item) => item !== role))
          }
        />
      ))}
    </fieldset>
  );
}

function Invite({ matrix, onInvited }: { matrix: PermissionMatrix; onInvited: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [roles, setRoles] = useState<string[]>(['privacy_agent']);
  const [link, setLink] = useState<string>();
  const invite = useAction(async () => {
    if (roles.length === 0) throw new InputError('Choose at least one role.');
    const invited = await api.post<{ invitationUrl: string }>('/v1/operators', { email, displayName, roles });
    setLink(invited.invitationUrl);
    setEmail('');
    setDisplayName('');
    await onInvited();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void invite.run();
  }
  return (
    <Card title="Invite an operator">
      <form className="form form-wide" onSubmit={submit}>
        <ErrorAlert error={invite.error} />
        {link ? (
          <Alert tone="success" title="Invitation created">
            <p>Send this link to the person over a trusted channel. It is shown only now and works once.</p>
            <ShownOnce label="Invitation link" value={link} />
          </Alert>
        ) : null}
        <div className="form-row">
          <TextField
            label="Name"
            required
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
          />
          <TextField
            label="E-mail address"
            type="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <RolePicker matrix={matrix} chosen={roles} onChange={setRoles} />
        <div>
          <Button type="submit" variant="primary" busy={invite.busy}>
            Invite
          </Button>
        </div>
      </form>
    </Card>
  );
}

function EditOperator({
  operator,
  matrix,
  onClose,
}: {
  operator: Operator;
  matrix: PermissionMatrix;
  onClose: (changed: boolean) => void;
}) {
  const { api } = useSignedIn();
  const [roles, setRoles] = useState<string[]>(operator.roles);
  const [status, setStatus] = useState<string>(operator.status === 'disabled' ? 'disabled' : 'active');
  const save = useAction(async () => {
    if (roles.length === 0) throw new InputError('An operator needs at least one role.');
    await api.patch(`/v1/operators/${operator.id}`, {
      roles,
      ...(operator.status === 'invited' ? {} : { status }),
    });
    onClose(true);
  });
  const resetMfa = useAction(async () => {
    await api.post(`/v1/operators/${operator.id}/reset-mfa`);
    onClose(true);
  });
  const endSessions = useAction(async () => {
    await api.post(`/v1/operators/${operator.id}/revoke-sessions`);
    onClose(true);
  });
  return (
    <Dialog open title={`Change ${operator.displayName}`} onClose={() => onClose(false)}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void save.run();
        }}
      >
        <ErrorAlert error={save.error ?? resetMfa.error ?? endSessions.error} />
        <RolePicker matrix={matrix} chosen={roles} onChange={setRoles} />
        {operator.status === 'invited' ? null : (
          <SelectField
            label="Status"
            value={status}
            onChange={(event) => setStatus(event.target.value)}
            options={[
              { value: 'active', label: 'Active' },
              { value: 'disabled', label: 'Disabled (cannot sign in)' },
            ]}
          />
        )}
        <p className="muted">Changing roles or status ends the operator’s sessions.</p>
        <div className="button-row">
          {operator.mfaEnabled ? (
            <Button busy={resetMfa.busy} onClick={() => void resetMfa.run()}>
              Reset two-step verification
            </Button>
          ) : null}
          <Button busy={endSessions.busy} onClick={() => void endSessions.run()}>
            End all sessions
          </Button>
        </div>
        <div className="dialog-footer">
          <Button onClick={() => onClose(false)}>Cancel</Button>
          <Button type="submit" variant="primary" busy={save.busy}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function RoleMatrix({ matrix }: { matrix: PermissionMatrix }) {
  const roles = Object.keys(matrix.roles);
  return (
    <Card title="Roles and permissions">
      <details>
        <summary>Show what each role may do</summary>
        <TableWrap label="Permissions of each role">
          <table className="matrix">
            <caption className="visually-hidden">Permissions of each role</caption>
            <thead>
              <tr>
                <th scope="col">Permission</th>
                {roles.map((role) => (
                  <th scope="col" key={role}>
                    {humanize(role)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Object.entries(matrix.permissions).map(([permission, meaning]) => (
                <tr key={permission}>
                  <th scope="row">
                    <span className="mono">{permission}</span>
                    <br />
                    <span className="muted">{meaning}</span>
                  </th>
                  {roles.map((role) => (
                    <td key={role}>
                      {matrix.roles[role]?.permissions.includes(permission) ? (
                        <span aria-label="allowed" role="img">
                          ✓
                        </span>
                      ) : (
                        <span className="visually-hidden">not allowed</span>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </Card>
  );
}

/** Operators and roles: who works in the console, with which roles and whether MFA is on. */
export function OperatorsPage() {
  const { api, can, me } = useSignedIn();
  useTitle('Operators & roles', 'Custos console');
  const operators = useLoad(() => api.get<{ items: Operator[] }>('/v1/operators'), [api]);
  const matrix = useLoad(() => api.get<PermissionMatrix>('/v1/permissions'), [api]);
  const [editing, setEditing] = useState<Operator>();
  const manage = can('operators.manage');
  return (
    <>
      <PageHeader
        title="Operators & roles"
        description="The people who work in this console and what their roles allow."
      />
      {manage && matrix.data ? <Invite matrix={matrix.data} onInvited={operators.reload} /> : null}
      <Card title="Operators">
        <LoadState loaded={operators}>
          {(data) => (
            <TableWrap label="Operators">
              <table>
                <caption className="visually-hidden">Operators</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">E-mail</th>
                    <th scope="col">Roles</th>
                    <th scope="col">Status</th>
                    <th scope="col">Two-step</th>
                    <th scope="col">Last sign-in</th>
                    <th scope="col">Since</th>
                    {manage ? (
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((operator) => (
                    <tr key={operator.id}>
                      <td>
                        {operator.displayName}
                        {operator.id === me.operator.id ? <span className="muted"> (you)</span> : null}
                      </td>
                      <td>{operator.email}</td>
                      <td>{operator.roles.map(humanize).join(', ')}</td>
                      <td>
                        <Badge
                          tone={
                            operator.status === 'active'
                              ? 'success'
                              : operator.status === 'invited'
                                ? 'info'
                                : 'neutral'
                          }
                        >
                          {humanize(operator.status)}
                        </Badge>
                      </td>
                      <td>{operator.mfaEnabled ? 'On' : 'Off'}</td>
                      <td className="nowrap">{formatDateTime(operator.lastLoginAt)}</td>
                      <td className="nowrap">{formatDate(operator.createdAt)}</td>
                      {manage ? (
                        <td>
                          {operator.id === me.operator.id ? null : (
                            <Button variant="ghost" onClick={() => setEditing(operator)}>
                              Change<span className="visually-hidden"> {operator.displayName}</span>
                            </Button>
                          )}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </LoadState>
      </Card>
      <LoadState loaded={matrix}>{(data) => <RoleMatrix matrix={data} />}</LoadState>
      {editing && matrix.data ? (
        <EditOperator
          operator={editing}
          matrix={matrix.data}
          onClose={(changed) => {
            setEditing(undefined);
            if (changed) void operators.reload();
          }}
        />
      ) : null}
    </>
  );
}
