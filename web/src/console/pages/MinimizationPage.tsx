import { useState } from 'react';
import { formatDateTime, formatNumber } from '../../shared/format';
import { useLoad, useTitle } from '../../shared/hooks';
import { Badge, Card, Empty, LoadState, PageHeader, SelectField, TableWrap } from '../../shared/ui';
import { useSignedIn } from '../session';

type FindingKind =
  | 'unread_field'
  | 'field_without_purpose'
  | 'collection_without_retention'
  | 'inactive_subjects'
  | 'undeclared_category';

type Finding = {
  kind: FindingKind;
  collection: string | null;
  field: string | null;
  category: string | null;
  count: number | null;
  message: string;
  suggestedAction: { code: string; text: string };
};

type Report = {
  generatedAt: string;
  window: { days: number; since: string };
  checked: FindingKind[];
  findings: Finding[];
};

const sections: { kind: FindingKind; title: string; none: string }[] = [
  {
    kind: 'unread_field',
    title: 'Fields nobody read',
    none: 'Every field holding data was read in the window.',
  },
  {
    kind: 'field_without_purpose',
    title: 'Fields no purpose covers',
    none: 'Every field’s data category is covered by a purpose.',
  },
  {
    kind: 'collection_without_retention',
    title: 'Collections without a retention policy',
    none: 'Every collection is covered by a retention policy.',
  },
  {
    kind: 'inactive_subjects',
    title: 'Subjects inactive past every retention period',
    none: 'No subject is inactive for longer than the longest retention period (or no policy sets one).',
  },
  {
    kind: 'undeclared_category',
    title: 'Data categories no processing activity declares',
    none: 'Every data category held is declared by a processing activity.',
  },
];

function what(finding: Finding): string {
  if (finding.field) return `${finding.collection}.${finding.field}`;
  if (finding.collection) return finding.collection;
  if (finding.category) return finding.category;
  return `${formatNumber(finding.count ?? 0)} subjects`;
}

function FindingTable({ title, findings }: { title: string; findings: Finding[] }) {
  return (
    <TableWrap label={title}>
      <table>
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">Category</th>
            <th scope="col">Finding</th>
            <th scope="col">Suggested action</th>
          </tr>
        </thead>
        <tbody>
          {findings.map((finding) => (
            <tr key={`${finding.kind}:${what(finding)}`}>
              <td className="mono">{what(finding)}</td>
              <td className="mono">{finding.category ?? '—'}</td>
              <td>{finding.message}</td>
              <td>{finding.suggestedAction.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/**
 * The minimization audit: what Custos holds that nothing seems to need (fields unread, fields no purpose
 * covers, collections without retention, inactive subjects, undeclared categories), each with a
 * suggested action. Read-only: acting on a finding happens on the pages that own the thing.
 */
export function MinimizationPage() {
  const { api } = useSignedIn();
  useTitle('Minimization audit', 'Custos console');
  const [days, setDays] = useState('90');
  const report = useLoad(
    () => api.get<Report>('/v1/retention/minimization', { windowDays: days }),
    [api, days],
  );
  return (
    <>
      <PageHeader
        title="Minimization audit"
        description="Data held that nothing seems to need, derived from collections, purposes, retention policies and the audit trail. Names and categories only, never values."
      />
      <div className="filters">
        <SelectField
          label="Reads counted over"
          value={days}
          onChange={(event) => setDays(event.target.value)}
          options={[
            { value: '30', label: 'the last 30 days' },
            { value: '90', label: 'the last 90 days' },
            { value: '180', label: 'the last 180 days' },
            { value: '365', label: 'the last year' },
          ]}
        />
      </div>
      <LoadState loaded={report} label="Auditing…">
        {(loaded) => (
          <div className="stack">
            <p className="muted">
              Generated {formatDateTime(loaded.generatedAt)}; reads since{' '}
              {formatDateTime(loaded.window.since)}.
            </p>
            {sections
              .filter((section) => loaded.checked.includes(section.kind))
              .map((section) => {
                const findings = loaded.findings.filter((finding) => finding.kind === section.kind);
                return (
                  <Card
                    key={section.kind}
                    title={section.title}
                    actions={
                      <Badge tone={findings.length === 0 ? 'success' : 'warning'}>
                        {formatNumber(findings.length)}
                      </Badge>
                    }
                  >
                    {findings.length === 0 ? (
                      <Empty>{section.none}</Empty>
                    ) : (
                      <FindingTable title={section.title} findings={findings} />
                    )}
                  </Card>
                );
              })}
          </div>
        )}
      </LoadState>
    </>
  );
}
