/**
 * Processing activities: the list, a new one, and one activity's editor — what a person adds on one side,
 * what the map derives from the linked purposes, collections, systems and processors on the other, each
 * derived value with where it comes from.
 */
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { humanize, label, legalBasisLabels } from '../../shared/format';
import { useLoad, useTitle } from '../../shared/hooks';
import { Alert, Badge, Card, Empty, LoadState, TableWrap } from '../../shared/ui';
import { ActionDialog } from '../action-dialog';
import { ActivityScreening } from '../assessments/ActivityScreening';
import { useSignedIn } from '../session';
import type { ActivityEntry, DataMap, ResolvedActivity, Sourced, ValueSource } from '../types';
import { ActivityForm, activityDraftOf, emptyActivityDraft } from './activity-form';
import { useDataMap, useManage } from './common';
import { countryName } from './countries';
import { entryPath, inventoryPaths, resolvedPath } from './inventory-api';
import { processorRoleLabels } from './processors';

export function activityLink(activity: Pick<ActivityEntry, 'id'>): string {
  return `/data-map/activities/${encodeURIComponent(activity.id)}`;
}

const sourceLabels: Record<ValueSource['from'], string> = {
  collection: 'collection',
  system: 'system',
  purpose: 'purpose',
  processor: 'processor',
  retention_policy: 'retention policy',
  manual: 'added by a person',
};

/** Where a derived value comes from, by name: the API refers to entries by id (purposes by key). */
function sourceText(source: ValueSource, map: DataMap): string {
  const nameOf: Record<ValueSource['from'], () => string | undefined> = {
    collection: () => map.systems.find((system) => system.id === source.ref)?.name,
    system: () => map.systems.find((system) => system.id === source.ref)?.name,
    purpose: () => map.purposes.find((purpose) => purpose.key === source.ref)?.name,
    processor: () => map.processors.find((processor) => processor.id === source.ref)?.name,
    retention_policy: () => map.retention.find((policy) => policy.id === source.ref)?.name,
    manual: () => undefined,
  };
  if (source.from === 'manual') return sourceLabels.manual;
  return `${sourceLabels[source.from]} ${nameOf[source.from]() ?? source.ref}`;
}

function SourcedTable({ caption, rows, map }: { caption: string; rows: Sourced[]; map: DataMap }) {
  if (rows.length === 0) return <p className="muted">{caption}: none.</p>;
  return (
    <TableWrap label={caption}>
      <table>
        <caption className="table-caption">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Value</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.value}>
              <td className="mono">{row.value}</td>
              <td>{row.sources.map((source) => sourceText(source, map)).join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function unresolvedLinks(resolved: ResolvedActivity): string[] {
  return Object.entries(resolved.unresolved).flatMap(([kind, refs]) => refs.map((ref) => `${kind}: ${ref}`));
}

/** What the map derives for the activity (`GET /v1/inventory/activities/{id}/resolved`). */
function DerivedView({ resolved, map }: { resolved: ResolvedActivity; map: DataMap }) {
  const missing = unresolvedLinks(resolved);
  return (
    <div className="stack">
      {missing.length > 0 ? (
        <Alert tone="warning" title="Links to entries no longer in the map">
          {missing.join('; ')}
        </Alert>
      ) : null}
      <SourcedTable caption="Data categories" rows={resolved.dataCategories} map={map} />
      <SourcedTable caption="Data subjects" rows={resolved.dataSubjects} map={map} />
      <h3>Purposes and legal bases</h3>
      {resolved.purposes.length === 0 ? (
        <p className="muted">No purpose linked: the activity has no legal basis.</p>
      ) : (
        <ul className="list">
          {resolved.purposes.map((purpose) => (
            <li key={purpose.key}>
              <strong>{purpose.name}</strong> ·{' '}
              {purpose.legalBasis ? (
                label(legalBasisLabels, purpose.legalBasis)
              ) : (
                <Badge tone="danger">No legal basis</Badge>
              )}
              {purpose.automatedDecisions ? ' · automated decisions' : ''}
              <span className="muted"> (from purpose {purpose.key})</span>
            </li>
          ))}
        </ul>
      )}
      <h3>Recipients</h3>
      {resolved.recipients.length === 0 && resolved.recipientCategories.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="list">
          {resolved.recipients.map((recipient) => (
            <li key={recipient.processorId}>
              <strong>{recipient.name}</strong> · {label(processorRoleLabels, recipient.role)} in{' '}
              {countryName(recipient.country)}
              <span className="muted">
                {' '}
                (
                {recipient.sources
                  .map((source) =>
                    source.from === 'manual' ? 'linked directly' : `via ${sourceText(source, map)}`,
                  )
                  .join(', ')}
                )
              </span>
            </li>
          ))}
          {resolved.recipientCategories.map((category) => (
            <li key={category}>
              {category} <span className="muted">(added by a person)</span>
            </li>
          ))}
        </ul>
      )}
      <h3>Transfers to third countries</h3>
      {resolved.transfers.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="list">
          {resolved.transfers.map((transfer) => (
            <li key={transfer.country}>
              <strong>{countryName(transfer.country)}</strong> via{' '}
              {transfer.via.map((item) => item.name).join(', ')} ·{' '}
              {transfer.safeguard ?? <Badge tone="danger">No safeguard recorded</Badge>}
            </li>
          ))}
        </ul>
      )}
      <h3>Retention</h3>
      {resolved.retention.length === 0 && !resolved.retentionNote ? (
        <p className="muted">No retention period: no policy covers its data and none is noted.</p>
      ) : (
        <ul className="list">
          {resolved.retention.map((item) => (
            <li key={`${item.name}:${item.scope}`}>
              <strong>{item.name}</strong> · {item.period ?? 'no period'} · {item.scope}
              <span className="muted"> ({sourceText(item.source, map)})</span>
            </li>
          ))}
          {resolved.retentionNote ? (
            <li>
              {resolved.retentionNote} <span className="muted">(added by a person)</span>
            </li>
          ) : null}
        </ul>
      )}
      <h3>Security measures</h3>
      {resolved.measures.length === 0 ? (
        <p className="muted">None linked.</p>
      ) : (
        <ul className="list">
          {resolved.measures.map((measure) => (
            <li key={measure.id}>
              <strong>{measure.name}</strong> · {humanize(measure.kind)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ActivityDetailView() {
  const { id = '' } = useParams();
  const { api, can } = useSignedIn();
  const navigate = useNavigate();
  const map = useDataMap();
  const manage = useManage();
  const resolved = useLoad(() => api.get<ResolvedActivity>(resolvedPath(id)), [api, id]);
  const [notice, setNotice] = useState<string>();
  const [formKey, setFormKey] = useState(0);
  const activity = map.data?.activities.find((entry) => entry.id === id);
  useTitle(`${activity?.name ?? 'Activity'} · Data map`, 'Custos console');
  return (
    <LoadState loaded={map} label="Loading the activity…">
      {(data) =>
        !activity ? (
          <Alert tone="warning" title="No such activity">
            It may have been deleted. <Link to="/data-map/activities">Back to the activities</Link>
          </Alert>
        ) : (
          <div className="activity-columns">
            <Card
              title={manage ? `Edit ${activity.name}` : activity.name}
              actions={
                manage ? (
                  <ActionDialog
                    trigger="Delete"
                    title={`Delete ${activity.name}?`}
                    submitLabel="Delete activity"
                    variant="danger"
                    description={<p>It leaves the RoPA; what it linked stays in the map.</p>}
                    onSubmit={async () => {
                      await api.delete(entryPath('activities', activity.id));
                      navigate('/data-map/activities');
                    }}
                  />
                ) : undefined
              }
            >
              {notice ? <Alert tone="success">{notice}</Alert> : null}
              {manage ? (
                <ActivityForm
                  key={formKey}
                  map={data}
                  initial={activityDraftOf(activity)}
                  submitLabel="Save changes"
                  onSubmit={async (body) => {
                    await api.patch(entryPath('activities', activity.id), body);
                    setNotice(`${body.name} was saved.`);
                    await Promise.all([map.reload(), resolved.reload()]);
                    setFormKey((key) => key + 1);
                  }}
                />
              ) : (
                <p>{activity.description || 'No description.'}</p>
              )}
            </Card>
            <Card title="Derived from the map">
              <LoadState loaded={resolved} label="Deriving…">
                {(value) => <DerivedView resolved={value} map={data} />}
              </LoadState>
            </Card>
            {can('assessments.read') ? (
              <ActivityScreening activityId={activity.id} revision={formKey} />
            ) : null}
          </div>
        )
      }
    </LoadState>
  );
}

export function ActivitiesView() {
  useTitle('Processing activities · Data map', 'Custos console');
  const { api } = useSignedIn();
  const navigate = useNavigate();
  const map = useDataMap();
  const manage = useManage();
  const [open, setOpen] = useState(false);
  return (
    <LoadState loaded={map} label="Loading the activities…">
      {(data) => (
        <>
          {manage ? (
            <Card title="Record a processing activity">
              <details open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
                <summary>A new activity for the RoPA</summary>
                <ActivityForm
                  map={data}
                  initial={emptyActivityDraft}
                  submitLabel="Record activity"
                  onSubmit={async (body) => {
                    const created = await api.post<ActivityEntry>(inventoryPaths.activities, body);
                    navigate(activityLink(created));
                  }}
                />
              </details>
            </Card>
          ) : null}
          <Card title="Processing activities">
            {data.activities.length === 0 ? (
              <Empty>No processing activities recorded.</Empty>
            ) : (
              <TableWrap label="Processing activities">
                <table>
                  <caption className="visually-hidden">Processing activities</caption>
                  <thead>
                    <tr>
                      <th scope="col">Activity</th>
                      <th scope="col">Register</th>
                      <th scope="col">Purposes</th>
                      <th scope="col">Collections</th>
                      <th scope="col">Systems</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.activities.map((activity) => (
                      <tr key={activity.id}>
                        <td>
                          <Link className="row-link" to={activityLink(activity)}>
                            {activity.name}
                          </Link>
                        </td>
                        <td>{activity.role === 'controller' ? 'Controller' : 'Processor'}</td>
                        <td>{activity.purposeKeys.join(', ') || '—'}</td>
                        <td>{activity.collectionNames.join(', ') || '—'}</td>
                        <td>{activity.systemIds.length}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
          </Card>
        </>
      )}
    </LoadState>
  );
}
