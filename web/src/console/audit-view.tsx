import { formatDateTime, humanize } from '../shared/format';
import { Badge, TableWrap } from '../shared/ui';
import type { AuditEntry } from './types';

/** A value from an audit entry's details as words: lists joined, objects as "key: value". */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(describeValue).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${key}: ${describeValue(inner)}`)
      .join('; ');
  }
  return String(value);
}

export function outcomeTone(outcome: string): string {
  if (outcome === 'success') return 'success';
  if (outcome === 'denied') return 'danger';
  return 'warning';
}

/** Who acted: uuids shortened to their first 8 characters, names of system actors in full. */
export function actorText(actor: { type: string; id: string | null }): string {
  if (!actor.id) return humanize(actor.type);
  const id = /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(actor.id) ? actor.id.slice(0, 8) : actor.id;
  return `${humanize(actor.type)} ${id}`;
}

/** Audit entries as a table; details as key–value lines, never as raw JSON. */
export function AuditTable({
  entries,
  compact = false,
}: {
  entries: readonly AuditEntry[];
  compact?: boolean;
}) {
  return (
    <TableWrap label="Audit entries, newest first">
      <table>
        <caption className="visually-hidden">Audit entries, newest first</caption>
        <thead>
          <tr>
            {compact ? null : <th scope="col">#</th>}
            <th scope="col">Time</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            {compact ? null : <th scope="col">Target</th>}
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.seq}>
              {compact ? null : <td className="mono">{entry.seq}</td>}
              <td className="nowrap">{formatDateTime(entry.at)}</td>
              <td>
                <span className="mono">{entry.action}</span>
                {entry.purpose ? <span className="muted"> · purpose {entry.purpose}</span> : null}
                {!compact && Object.keys(entry.details).length > 0 ? (
                  <ul className="key-values">
                    {Object.entries(entry.details).map(([key, value]) => (
                      <li key={key}>
                        {key}: {describeValue(value)}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </td>
              <td className="nowrap">{actorText(entry.actor)}</td>
              {compact ? null : (
                <td className="mono">{entry.target ? `${entry.target.type} ${entry.target.id}` : '—'}</td>
              )}
              <td>
                <Badge tone={outcomeTone(entry.outcome)}>{humanize(entry.outcome)}</Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
