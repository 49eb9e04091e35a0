import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, InputError } from '../../shared/api';
import {
  consentStatusLabels,
  formatDate,
  formatDateTime,
  humanize,
  label,
  legalBasisLabels,
  readPurposeLabels,
  requestStateLabels,
  requestTypeLabels,
} from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  Dialog,
  Empty,
  ErrorAlert,
  Facts,
  LoadState,
  PageHeader,
  SelectField,
  TableWrap,
  TextField,
} from '../../shared/ui';
import { describeValue } from '../audit-view';
import { useSignedIn } from '../session';
import type { ConsentEvent, ConsentStanding, DataSubjectRequest, Page, Subject, VaultRecord } from '../types';
import { stateTone } from './RequestsPage';
import { subjectStatusTone } from './SubjectsPage';

type Read = { purpose: string; revealed: boolean; records: VaultRecord[] };

function RecordsTable({ read }: { read: Read }) {
  if (read.records.length === 0) return <Empty>The vault holds no records for this subject.</Empty>;
  return (
    <div className="stack">
      {read.records.map((record) => (
        <TableWrap key={record.id} label={`Record of ${record.collection}`}>
          <table>
            <caption className="table-caption">
              {record.collection} <span className="muted">· updated {formatDateTime(record.updatedAt)}</span>
            </caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(record.fields).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>
                    <span className="mono">{describeValue(value)}</span>
                    {record.masked.includes(name) ? <span className="muted"> (masked)</span> : null}
                  </td>
                </tr>
              ))}
              {record.unreadable.map((name) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>
                    <Badge tone="danger">Unreadable: altered in storage</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ))}
    </div>
  );
}

/**
 * Records are read only when asked, for a stated purpose, masked; "Reveal" asks again for the purpose
 * and shows values in clear. Every read is audited by the API with the purpose and the fields.
 */
function Records({ subjectId }: { subjectId: string }) {
  const { api, can, settings } = useSignedIn();
  const [purpose, setPurpose] = useState(settings.readPurposes[0] ?? '');
  const [revealPurpose, setRevealPurpose] = useState(settings.readPurposes[0] ?? '');
  const [read, setRead] = useState<Read>();
  const [revealOpen, setRevealOpen] = useState(false);
  const load = useAction(async (chosen: string, reveal: boolean) => {
    const result = await api.get<{ items: VaultRecord[] }>(`/v1/subjects/${subjectId}/records`, {
      purpose: chosen,
      reveal,
    });
    setRead({ purpose: chosen, revealed: reveal, records: result.items });
  });
  const purposeOptions = settings.readPurposes.map((value) => ({
    value,
    label: label(readPurposeLabels, value),
  }));

  async function reveal(event: FormEvent) {
    event.preventDefault();
    if (await load.run(revealPurpose, true)) setRevealOpen(false);
  }

  return (
    <Card title="Personal data">
      {can('vault.read') ? (
        <p className="muted">
          Records are read only when you ask, for a purpose you state; each read is recorded in the audit log
          with your name and the purpose.
        </p>
      ) : null}
      {can('vault.read') ? (
        <form
          className="form-row"
          onSubmit={(event) => {
            event.preventDefault();
            void load.run(purpose, false);
          }}
        >
          <SelectField
            label="Purpose of this read"
            value={purpose}
            onChange={(event) => setPurpose(event.target.value)}
            options={purposeOptions}
          />
          <Button type="submit" busy={load.busy && !revealOpen}>
            Show records (masked)
          </Button>
        </form>
      ) : (
        <p className="muted">Reading records needs the vault.read permission.</p>
      )}
      {!revealOpen ? <ErrorAlert error={load.error} /> : null}
      {read ? (
        <>
          {read.revealed ? (
            <Alert tone="warning" title="Shown in clear">
              Read for “{label(readPurposeLabels, read.purpose)}” and recorded in the audit log. Hide the
              values when you are done.
            </Alert>
          ) : null}
          <RecordsTable read={read} />
          <div className="button-row">
            {read.revealed ? (
              <Button onClick={() => setRead(undefined)}>Hide values</Button>
            ) : can('vault.reveal') && read.records.length > 0 ? (
              <Button variant="primary" onClick={() => setRevealOpen(true)}>
                Reveal values…
              </Button>
            ) : null}
          </div>
        </>
      ) : null}
      <Dialog open={revealOpen} title="Reveal personal data" onClose={() => setRevealOpen(false)}>
        <form className="form" onSubmit={reveal}>
          <p>
            The values will be shown in clear. State why you need them: the purpose is checked and written to
            the audit log with your name.
          </p>
          <ErrorAlert error={load.error} />
          <SelectField
            label="Purpose"
            value={revealPurpose}
            onChange={(event) => setRevealPurpose(event.target.value)}
            options={purposeOptions}
          />
          <div className="dialog-footer">
            <Button onClick={() => setRevealOpen(false)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={load.busy}>
              Reveal
            </Button>
          </div>
        </form>
      </Dialog>
    </Card>
  );
}

function Consents({ subjectId }: { subjectId: string }) {
  const { api } = useSignedIn();
  const standing = useLoad(
    () => api.get<{ items: ConsentStanding[] }>(`/v1/subjects/${subjectId}/consents`),
    [api, subjectId],
  );
  const [history, setHistory] = useState<ConsentEvent[]>();
  const loadHistory = useAction(async () => {
    const document = await api.get<{ events: ConsentEvent[] }>(`/v1/subjects/${subjectId}/consent/history`, {
      format: 'json',
    });
    setHistory(document.events);
  });
  return (
    <Card title="Consent">
      <LoadState loaded={standing}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No purposes are defined yet.</Empty>
          ) : (
            <TableWrap label="Consent state per purpose">
              <table>
                <caption className="visually-hidden">Consent state per purpose</caption>
                <thead>
                  <tr>
                    <th scope="col">Purpose</th>
                    <th scope="col">Basis</th>
                    <th scope="col">Choice</th>
                    <th scope="col">May be pursued</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((item) => (
                    <tr key={item.purpose}>
                      <td className="mono">{item.purpose}</td>
                      <td>{label(legalBasisLabels, item.legalBasis)}</td>
                      <td>
                        {item.choice?.status ? label(consentStatusLabels, item.choice.status) : 'No choice'}
                        {item.choice?.objectedAt ? ' · objected' : ''}
                        {item.choice ? (
                          <span className="muted"> · {formatDateTime(item.choice.updatedAt)}</span>
                        ) : null}
                      </td>
                      <td>
                        <Badge tone={item.allowed ? 'success' : 'neutral'}>
                          {item.allowed ? 'Yes' : `No: ${humanize(item.reason)}`}
                        </Badge>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </LoadState>
      <ErrorAlert error={loadHistory.error} />
      {history ? (
        history.length === 0 ? (
          <Empty>No consent events recorded.</Empty>
        ) : (
          <ol className="timeline">
            {history.map((event) => (
              <li key={event.eventId}>
                <time dateTime={event.recordedAt}>{formatDateTime(event.recordedAt)}</time>
                <strong>{humanize(event.action)}</strong> <span className="mono">{event.purpose}</span>{' '}
                (version {event.version})
                <span className="muted">
                  {' '}
                  · {event.source ? humanize(event.source) : 'system'}
                  {event.method ? `, ${humanize(event.method)}` : ''}
                </span>
              </li>
            ))}
          </ol>
        )
      ) : (
        <Button busy={loadHistory.busy} onClick={() => void loadHistory.run()}>
          Show the consent history
        </Button>
      )}
    </Card>
  );
}

function Requests({ subjectId }: { subjectId: string }) {
  const { api } = useSignedIn();
  const requests = useLoad(
    () => api.get<Page<DataSubjectRequest>>('/v1/requests', { subjectId, limit: 50 }),
    [api, subjectId],
  );
  return (
    <Card title="Requests">
      <LoadState loaded={requests}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No requests about this subject.</Empty>
          ) : (
            <ul className="list">
              {page.items.map((request) => (
                <li key={request.id} className="list-row">
                  <Link to={`/requests/${request.id}`}>{label(requestTypeLabels, request.type)}</Link>
                  <span>
                    <Badge tone={stateTone(request.state)}>{label(requestStateLabels, request.state)}</Badge>{' '}
                    <span className="muted">due {formatDate(request.dueDate)}</span>
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
    </Card>
  );
}

function Erase({ subjectId, onErased }: { subjectId: string; onErased: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [open, setOpen] = useState(false);
  const [confirmText, setConfirmText] = useState('');
  const erase = useAction(async () => {
    if (confirmText.trim() !== 'ERASE') throw new InputError('Type ERASE in capitals to confirm.');
    await api.post(`/v1/subjects/${subjectId}/shred`);
    setOpen(false);
    await onErased();
  });
  return (
    <Card title="Erase">
      <p>
        Crypto-shredding deletes the subject’s data key, records, blind indexes and tokens at once. It cannot
        be undone. Prefer working an erasure request, so the requester is told.
      </p>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Erase this subject…
      </Button>
      <Dialog open={open} title="Erase this subject?" onClose={() => setOpen(false)}>
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            void erase.run();
          }}
        >
          <ErrorAlert error={erase.error} />
          <TextField
            label="Type ERASE to confirm"
            autoComplete="off"
            value={confirmText}
            onChange={(event) => setConfirmText(event.target.value)}
          />
          <div className="dialog-footer">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button type="submit" variant="danger" busy={erase.busy}>
              Erase permanently
            </Button>
          </div>
        </form>
      </Dialog>
    </Card>
  );
}

/** One subject: metadata, masked records with purpose-bound reveal, consent, requests, erasure. */
export function SubjectDetailPage() {
  const { id = '' } = useParams();
  const { api, can } = useSignedIn();
  useTitle('Subject', 'Custos console');
  const subject = useLoad(async (): Promise<Subject | { erasedAt: string | null }> => {
    try {
      return await api.get<Subject>(`/v1/subjects/${id}`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'subject_erased') {
        const erasedAt = error.extensions.erasedAt;
        return { erasedAt: typeof erasedAt === 'string' ? erasedAt : null };
      }
      throw error;
    }
  }, [api, id]);
  return (
    <>
      <p>
        <Link to="/subjects">← Search subjects</Link>
      </p>
      <LoadState loaded={subject} label="Loading the subject…">
        {(data) =>
          'erasedAt' in data ? (
            <>
              <PageHeader title="Erased subject" description={<span className="mono">{id}</span>} />
              <Alert tone="info" title="This subject was erased">
                Their personal data no longer exists
                {data.erasedAt ? ` (erased ${formatDateTime(data.erasedAt)})` : ''}. Only a pseudonymous
                tombstone remains.
              </Alert>
              {can('requests.read') ? <Requests subjectId={id} /> : null}
            </>
          ) : (
            <>
              <PageHeader title="Subject" description={<span className="mono">{data.id}</span>} />
              <Card>
                <Facts
                  items={[
                    [
                      'Status',
                      <Badge key="s" tone={subjectStatusTone(data.status)}>
                        {data.status}
                      </Badge>,
                    ],
                    ['Region', data.region ?? '—'],
                    ['Created', formatDateTime(data.createdAt)],
                    ['Updated', formatDateTime(data.updatedAt)],
                  ]}
                />
              </Card>
              <div className="stack">
                <Records subjectId={id} />
                {can('consent.read') ? <Consents subjectId={id} /> : null}
                {can('requests.read') ? <Requests subjectId={id} /> : null}
                {can('vault.shred') ? <Erase subjectId={id} onErased={subject.reload} /> : null}
              </div>
            </>
          )
        }
      </LoadState>
    </>
  );
}
