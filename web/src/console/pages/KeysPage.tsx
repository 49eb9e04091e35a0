import { useState } from 'react';
import { formatDateTime, formatNumber } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  Dialog,
  ErrorAlert,
  Facts,
  LoadState,
  PageHeader,
  TableWrap,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { KekVersion, KeyRingStatus } from '../types';

type Rotation = { version: number; previousVersion: number; fingerprint: string; dataKeysToRewrap: number };

/** The key ring: master key versions, data keys under each, rewrap progress; rotation and retirement. */
export function KeysPage() {
  const { api, can } = useSignedIn();
  useTitle('Encryption keys', 'Custos console');
  const status = useLoad(() => api.get<KeyRingStatus>('/v1/keys/status'), [api]);
  const [confirming, setConfirming] = useState(false);
  const [rotation, setRotation] = useState<Rotation>();
  const rotate = useAction(async () => {
    setRotation(await api.post<Rotation>('/v1/keys/rotate'));
    setConfirming(false);
    await status.reload();
  });
  const retire = useAction(async (version: KekVersion) => {
    await api.post(`/v1/keys/${version.version}/retire`);
    await status.reload();
  });
  const manage = can('keys.rotate');
  return (
    <>
      <PageHeader
        title="Encryption keys"
        description="Personal data is sealed under per-subject data keys, which are wrapped by versioned master keys. Key material never leaves the server."
        actions={
          manage ? (
            <Button variant="primary" onClick={() => setConfirming(true)}>
              Rotate master key…
            </Button>
          ) : null
        }
      />
      {rotation ? (
        <Alert tone="success" title={`Master key version ${rotation.version} is now current`}>
          New data keys are wrapped under it at once; {formatNumber(rotation.dataKeysToRewrap)} data keys are
          being rewrapped in the background.
        </Alert>
      ) : null}
      <ErrorAlert error={retire.error} />
      <LoadState loaded={status} label="Loading the key ring…">
        {(ring) => (
          <>
            <Card>
              <Facts
                items={[
                  ['Current version', String(ring.currentVersion)],
                  ['Data keys', formatNumber(ring.dataKeys)],
                  ['Waiting for rewrap', formatNumber(ring.pendingRewrap)],
                  ['Key source', `${ring.provider.kind} (${ring.provider.source})`],
                  [
                    'Blind-index key',
                    ring.indexKey.matchesDatabase ? (
                      <Badge key="i" tone="success">
                        Matches the database
                      </Badge>
                    ) : (
                      <Badge key="i" tone="danger">
                        Does not match: searches will find nothing
                      </Badge>
                    ),
                  ],
                ]}
              />
            </Card>
            <Card title="Master key versions">
              <TableWrap label="Master key versions">
                <table>
                  <caption className="visually-hidden">Master key versions</caption>
                  <thead>
                    <tr>
                      <th scope="col">Version</th>
                      <th scope="col">Fingerprint</th>
                      <th scope="col">State</th>
                      <th scope="col">Data keys</th>
                      <th scope="col">Created</th>
                      <th scope="col">On this server</th>
                      {manage ? (
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      ) : null}
                    </tr>
                  </thead>
                  <tbody>
                    {ring.versions.map((version) => (
                      <tr key={version.version}>
                        <td>{version.version}</td>
                        <td className="mono">{version.fingerprint}</td>
                        <td>
                          {version.current ? (
                            <Badge tone="success">Current</Badge>
                          ) : version.retiredAt ? (
                            <Badge>Retired {formatDateTime(version.retiredAt)}</Badge>
                          ) : (
                            <Badge tone="warning">Older</Badge>
                          )}
                        </td>
                        <td>{formatNumber(version.dataKeys)}</td>
                        <td className="nowrap">{formatDateTime(version.createdAt)}</td>
                        <td>{version.available ? 'Yes' : 'Missing'}</td>
                        {manage ? (
                          <td>
                            {!version.current && !version.retiredAt && version.dataKeys === 0 ? (
                              <Button
                                variant="ghost"
                                busy={retire.busy}
                                onClick={() => void retire.run(version)}
                              >
                                Retire<span className="visually-hidden"> version {version.version}</span>
                              </Button>
                            ) : null}
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </Card>
          </>
        )}
      </LoadState>
      <Dialog open={confirming} title="Rotate the master key?" onClose={() => setConfirming(false)}>
        <p>
          A new master key version becomes current at once; every data key is rewrapped under it in the
          background, without downtime. Back up the new key file with the others.
        </p>
        <ErrorAlert error={rotate.error} />
        <div className="dialog-footer">
          <Button onClick={() => setConfirming(false)} data-autofocus>
            Cancel
          </Button>
          <Button variant="primary" busy={rotate.busy} onClick={() => void rotate.run()}>
            Rotate
          </Button>
        </div>
      </Dialog>
    </>
  );
}
