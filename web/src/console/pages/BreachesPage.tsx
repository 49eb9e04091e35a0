import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { formatDateTime, label } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Button,
  Card,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  SelectField,
  TableWrap,
  TextField,
} from '../../shared/ui';
import { type Breach, breachStatusLabels, ClockBadge, severityLevelLabels } from '../breach-view';
import { useSignedIn } from '../session';
import type { Page } from '../types';

const discoveryOptions = [
  { value: 'report', label: 'Reported by someone' },
  { value: 'alert', label: 'A Custos alert' },
  { value: 'processor_notice', label: 'A processor’s notice' },
  { value: 'audit', label: 'Found in the audit log' },
  { value: 'other', label: 'Other' },
];

/** A local date-time input's value as an ISO instant. */
const instantOf = (local: string) => new Date(local).toISOString();

function NewBreachForm() {
  const { api } = useSignedIn();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [awareAt, setAwareAt] = useState('');
  const [discovery, setDiscovery] = useState('report');
  const create = useAction(async () => {
    const created = await api.post<Breach>('/v1/breaches', {
      title: title.trim(),
      awareAt: awareAt ? instantOf(awareAt) : new Date().toISOString(),
      discovery,
    });
    navigate(`/breaches/${created.id}`);
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }
  return (
    <Card title="Record a breach">
      <form className="form" onSubmit={submit}>
        <ErrorAlert error={create.error} />
        <TextField
          label="Title"
          required
          maxLength={200}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
        />
        <TextField
          label="Became aware at"
          hint="The 72-hour clock starts here. Leave empty for now."
          type="datetime-local"
          value={awareAt}
          onChange={(event) => setAwareAt(event.target.value)}
        />
        <SelectField
          label="Discovered through"
          value={discovery}
          options={discoveryOptions}
          onChange={(event) => setDiscovery(event.target.value)}
        />
        <div className="button-row">
          <Button type="submit" variant="primary" busy={create.busy}>
            Record breach
          </Button>
        </div>
      </form>
    </Card>
  );
}

/** The breach register, newest first, each with its 72-hour clock. */
export function BreachesPage() {
  const { api, can } = useSignedIn();
  useTitle('Breaches', 'Custos console');
  const list = useLoad(() => api.get<Page<Breach>>('/v1/breaches', { limit: 100 }), [api]);
  return (
    <>
      <PageHeader
        title="Breaches"
        description="Personal data breaches: each with the time left to notify the supervisory authority (72 hours from awareness), its assessment and notices."
      />
      {can('breaches.manage') ? <NewBreachForm /> : null}
      <LoadState loaded={list} label="Loading breaches…">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No breaches recorded.</Empty>
          ) : (
            <TableWrap label="Breaches">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Breach</th>
                    <th scope="col">Status</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Aware</th>
                    <th scope="col">Deadline</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((breach) => (
                    <tr key={breach.id}>
                      <td>
                        <Link to={`/breaches/${breach.id}`}>{breach.title}</Link>
                      </td>
                      <td>{label(breachStatusLabels, breach.status)}</td>
                      <td>{breach.severity ? label(severityLevelLabels, breach.severity) : 'Not decided'}</td>
                      <td>{formatDateTime(breach.awareAt)}</td>
                      <td>
                        {formatDateTime(breach.deadlineAt)} <ClockBadge clock={breach.clock} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </LoadState>
    </>
  );
}
