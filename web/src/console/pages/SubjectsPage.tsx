import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { useAction, useTitle } from '../../shared/hooks';
import { Badge, Button, Card, Empty, ErrorAlert, PageHeader, TableWrap, TextField } from '../../shared/ui';
import { useSignedIn } from '../session';
import type { Subject } from '../types';

const kinds = [
  {
    value: 'email',
    choice: 'E-mail',
    label: 'E-mail address',
    type: 'email',
    hint: 'Matched exactly, ignoring case.',
  },
  {
    value: 'phone',
    choice: 'Phone',
    label: 'Phone number',
    type: 'tel',
    hint: 'With the country code, e.g. +44 20 7946 0000.',
  },
  {
    value: 'externalId',
    choice: 'External id',
    label: 'External id',
    type: 'text',
    hint: 'Your system’s id for the person.',
  },
] as const;

export function subjectStatusTone(status: string): string {
  if (status === 'active') return 'success';
  if (status === 'restricted') return 'warning';
  return 'neutral';
}

/**
 * Finds subjects through blind indexes: the value is sent in a POST body (never in the URL) and nothing
 * is decrypted. Every search is audited.
 */
export function SubjectsPage() {
  const { api } = useSignedIn();
  useTitle('Subjects', 'Custos console');
  const [kind, setKind] = useState<(typeof kinds)[number]['value']>('email');
  const [value, setValue] = useState('');
  const [results, setResults] = useState<Subject[]>();
  const search = useAction(async () => {
    const found = await api.post<{ items: Subject[] }>('/v1/subjects/search', { [kind]: value.trim() });
    setResults(found.items);
  });
  const current = kinds.find((entry) => entry.value === kind) ?? kinds[0];

  function submit(event: FormEvent) {
    event.preventDefault();
    if (value.trim()) void search.run();
  }

  return (
    <>
      <PageHeader
        title="Subjects"
        description="Find the people whose data the vault holds. Searches match exactly and decrypt nothing; each is recorded in the audit log."
      />
      <Card>
        <form className="form form-wide" onSubmit={submit}>
          <fieldset>
            <legend>Search by</legend>
            <div className="button-row">
              {kinds.map((entry) => (
                <label key={entry.value} className="radio">
                  <input
                    type="radio"
                    name="kind"
                    value={entry.value}
                    checked={kind === entry.value}
                    onChange={() => {
                      setKind(entry.value);
                      setResults(undefined);
                    }}
                  />{' '}
                  {entry.choice}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="form-row">
            <TextField
              label={current.label}
              type={current.type}
              autoComplete="off"
              value={value}
              onChange={(event) => setValue(event.target.value)}
              hint={current.hint}
            />
            <Button type="submit" variant="primary" busy={search.busy} disabled={!value.trim()}>
              Search
            </Button>
          </div>
        </form>
      </Card>
      <ErrorAlert error={search.error} />
      {results ? (
        <Card title={`${results.length} ${results.length === 1 ? 'subject' : 'subjects'} found`}>
          {results.length === 0 ? (
            <Empty>No subject matches. Erased subjects are never found.</Empty>
          ) : (
            <TableWrap label="Matching subjects">
              <table>
                <caption className="visually-hidden">Matching subjects</caption>
                <thead>
                  <tr>
                    <th scope="col">Subject</th>
                    <th scope="col">Status</th>
                    <th scope="col">Region</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {results.map((subject) => (
                    <tr key={subject.id}>
                      <td>
                        <Link className="row-link mono" to={`/subjects/${subject.id}`}>
                          {subject.id}
                        </Link>
                      </td>
                      <td>
                        <Badge tone={subjectStatusTone(subject.status)}>{subject.status}</Badge>
                      </td>
                      <td>{subject.region ?? '—'}</td>
                      <td>{formatDateTime(subject.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </Card>
      ) : null}
    </>
  );
}
