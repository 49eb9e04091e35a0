/** Findings: gaps in the map, computed on every read, each with what to do; they clear once it is done. */
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { useLoad, useTitle } from '../../shared/hooks';
import { Badge, Card, Empty, LoadState } from '../../shared/ui';
import { useSignedIn } from '../session';
import type { FindingList, FindingSeverity, InventoryFinding } from '../types';
import { activityLink } from './activities';
import { inventoryPaths } from './inventory-api';
import { systemLink } from './systems';

const severityTones: Record<FindingSeverity, string> = { high: 'danger', medium: 'warning', low: 'info' };

/** Where to go to fix a finding. */
function subjectLink(subject: InventoryFinding['subject']): string {
  switch (subject.type) {
    case 'activity':
      return activityLink(subject);
    case 'system':
      return systemLink(subject);
    case 'collection':
      return '/collections';
    case 'purpose':
      return '/consent';
    case 'processor':
      return '/data-map/processors';
  }
}

export function FindingsList({ findings }: { findings: FindingList }) {
  if (findings.items.length === 0) return <Empty>No findings: the map has no gaps Custos can see.</Empty>;
  return (
    <ul className="list">
      {findings.items.map((finding) => (
        <li key={finding.id}>
          <div className="list-row">
            <span>
              <Badge tone={severityTones[finding.severity]}>{finding.severity}</Badge>{' '}
              <strong>{finding.message}</strong>
            </span>
          </div>
          <p>
            <span className="muted">What to do: </span>
            {finding.action}
          </p>
          <p className="muted">
            Concerns {finding.subject.type}{' '}
            <Link to={subjectLink(finding.subject)}>{finding.subject.name}</Link>
            {finding.concerns.length > 0 ? ` · ${finding.concerns.join(', ')}` : ''}
          </p>
        </li>
      ))}
    </ul>
  );
}

export function useFindings() {
  const { api } = useSignedIn();
  return useLoad(() => api.get<FindingList>(inventoryPaths.findings), [api]);
}

export function FindingsView() {
  useTitle('Findings · Data map', 'Custos console');
  const findings = useFindings();
  return (
    <Card title="Findings">
      <LoadState loaded={findings} label="Checking the map…">
        {(data) => (
          <>
            <p className="muted">
              {data.counts.high} high, {data.counts.medium} medium, {data.counts.low} low · checked{' '}
              {formatDateTime(data.generatedAt)}
            </p>
            <FindingsList findings={data} />
          </>
        )}
      </LoadState>
    </Card>
  );
}
