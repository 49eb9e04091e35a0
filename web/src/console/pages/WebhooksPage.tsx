import { type FormEvent, useState } from 'react';
import { formatDateTime, humanize } from '../../shared/format';
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
  SelectField,
  ShownOnce,
  TableWrap,
  TextField,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { Page, WebhookDelivery, WebhookEndpoint } from '../types';

type EventTypes = { items: { type: string; subscribable: boolean }[]; retrySchedule: number[] };

function deliveryTone(status: string): string {
  if (status === 'delivered') return 'success';
  if (status === 'dead_lettered') return 'danger';
  return 'info';
}

function CreateEndpoint({ types, onCreated }: { types: string[]; onCreated: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [all, setAll] = useState(true);
  const [chosen, setChosen] = useState<string[]>([]);
  const [secret, setSecret] = useState<string>();
  const create = useAction(async () => {
    const created = await api.post<{ secret: string }>('/v1/webhooks/endpoints', {
      url,
      ...(description.trim() ? { description: description.trim() } : {}),
      eventTypes: all ? null : chosen,
    });
    setSecret(created.secret);
    setUrl('');
    setDescription('');
    await onCreated();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }
  return (
    <Card title="Add an endpoint">
      <details>
        <summary>Send events to a new URL</summary>
        <form className="form form-wide" onSubmit={submit}>
          <ErrorAlert error={create.error} />
          <div className="form-row">
            <TextField
              label="URL"
              type="url"
              required
              placeholder="https://example.org/hooks/custos"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
            />
            <TextField
              label="Description"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          </div>
          <CheckboxField
            label="Every event type, including types added later"
            checked={all}
            onChange={(event) => setAll(event.target.checked)}
          />
          {all ? null : (
            <fieldset>
              <legend>Event types</legend>
              <div className="checkbox-grid">
                {types.map((type) => (
                  <CheckboxField
                    key={type}
                    label={<span className="mono">{type}</span>}
                    checked={chosen.includes(type)}
                    onChange={(event) =>
                      setChosen(
                        event.target.checked ? [...chosen, type] : chosen.filter((item) => item !== type),
                      )
                    }
                  />
                ))}
              </div>
            </fieldset>
          )}
          <div>
            <Button type="submit" variant="primary" busy={create.busy}>
              Add endpoint
            </Button>
          </div>
        </form>
      </details>
      <Dialog
        open={secret !== undefined}
        title="The endpoint’s signing secret"
        onClose={() => setSecret(undefined)}
      >
        <Alert tone="warning" title="Shown only now">
          Configure the receiver with this secret to verify the webhook-signature header.
        </Alert>
        <ShownOnce label="Signing secret" value={secret ?? ''} />
        <div className="dialog-footer">
          <Button variant="primary" onClick={() => setSecret(undefined)} data-autofocus>
            I have stored it
          </Button>
        </div>
      </Dialog>
    </Card>
  );
}

function Endpoints({ manage, types }: { manage: boolean; types: string[] }) {
  const { api } = useSignedIn();
  const endpoints = useLoad(() => api.get<{ items: WebhookEndpoint[] }>('/v1/webhooks/endpoints'), [api]);
  const [notice, setNotice] = useState<string>();
  const act = useAction(async (endpoint: WebhookEndpoint, what: 'toggle' | 'test' | 'delete') => {
    if (what === 'toggle')
      await api.patch(`/v1/webhooks/endpoints/${endpoint.id}`, { enabled: !endpoint.enabled });
    if (what === 'test') await api.post(`/v1/webhooks/endpoints/${endpoint.id}/test`);
    if (what === 'delete') await api.delete(`/v1/webhooks/endpoints/${endpoint.id}`);
    setNotice(
      what === 'test'
        ? `A test event is on its way to ${endpoint.url}; see the delivery log.`
        : what === 'delete'
          ? `${endpoint.url} was deleted.`
          : `${endpoint.url} is now ${endpoint.enabled ? 'disabled' : 'enabled'}.`,
    );
    await endpoints.reload();
  });
  return (
    <>
      {manage ? <CreateEndpoint types={types} onCreated={endpoints.reload} /> : null}
      <Card title="Endpoints">
        {notice ? <Alert tone="success">{notice}</Alert> : null}
        <ErrorAlert error={act.error} />
        <LoadState loaded={endpoints}>
          {(data) =>
            data.items.length === 0 ? (
              <Empty>No endpoints yet.</Empty>
            ) : (
              <ul className="list">
                {data.items.map((endpoint) => (
                  <li key={endpoint.id}>
                    <div className="list-row">
                      <span>
                        <strong className="mono">{endpoint.url}</strong>{' '}
                        <Badge tone={endpoint.enabled ? 'success' : 'neutral'}>
                          {endpoint.enabled ? 'Enabled' : 'Disabled'}
                        </Badge>
                        <br />
                        <span className="muted">
                          {endpoint.description ? `${endpoint.description} · ` : ''}
                          {endpoint.eventTypes ? endpoint.eventTypes.join(', ') : 'every event type'}
                        </span>
                      </span>
                      {manage ? (
                        <span className="button-row">
                          <Button variant="ghost" onClick={() => void act.run(endpoint, 'test')}>
                            Send test<span className="visually-hidden"> to {endpoint.url}</span>
                          </Button>
                          <Button variant="ghost" onClick={() => void act.run(endpoint, 'toggle')}>
                            {endpoint.enabled ? 'Disable' : 'Enable'}
                            <span className="visually-hidden"> {endpoint.url}</span>
                          </Button>
                          <Button variant="ghost" onClick={() => void act.run(endpoint, 'delete')}>
                            Delete<span className="visually-hidden"> {endpoint.url}</span>
                          </Button>
                        </span>
                      ) : null}
                    </div>
                  </li>
                ))}
              </ul>
            )
          }
        </LoadState>
      </Card>
    </>
  );
}

function Deliveries({ manage }: { manage: boolean }) {
  const { api } = useSignedIn();
  const [status, setStatus] = useState('');
  const deliveries = useLoad(
    () => api.get<Page<WebhookDelivery>>('/v1/webhooks/deliveries', { status, limit: 50 }),
    [api, status],
  );
  const redeliver = useAction(async (delivery: WebhookDelivery) => {
    await api.post(`/v1/webhooks/deliveries/${delivery.id}/redeliver`);
    await deliveries.reload();
  });
  return (
    <Card
      title="Delivery log"
      actions={
        <SelectField
          label="Status"
          value={status}
          onChange={(event) => setStatus(event.target.value)}
          options={[
            { value: '', label: 'Any' },
            { value: 'pending', label: 'Pending' },
            { value: 'delivered', label: 'Delivered' },
            { value: 'dead_lettered', label: 'Dead-lettered' },
          ]}
        />
      }
    >
      <ErrorAlert error={redeliver.error} />
      <LoadState loaded={deliveries}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No deliveries.</Empty>
          ) : (
            <TableWrap label="Webhook deliveries, newest first">
              <table>
                <caption className="visually-hidden">Webhook deliveries, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Last attempt</th>
                    <th scope="col">Created</th>
                    {manage ? (
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((delivery) => (
                    <tr key={delivery.id}>
                      <td className="mono">{delivery.eventType}</td>
                      <td>
                        <Badge tone={deliveryTone(delivery.status)}>{humanize(delivery.status)}</Badge>
                      </td>
                      <td>{delivery.attempts}</td>
                      <td>
                        {formatDateTime(delivery.lastAttemptAt)}
                        {delivery.lastStatusCode ? ` · HTTP ${delivery.lastStatusCode}` : ''}
                        {delivery.lastError ? ` · ${humanize(delivery.lastError)}` : ''}
                      </td>
                      <td className="nowrap">{formatDateTime(delivery.createdAt)}</td>
                      {manage ? (
                        <td>
                          {delivery.status === 'pending' ? null : (
                            <Button variant="ghost" onClick={() => void redeliver.run(delivery)}>
                              Redeliver
                            </Button>
                          )}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </LoadState>
    </Card>
  );
}

/** Webhook endpoints (secret shown once), test events and the delivery log with redelivery. */
export function WebhooksPage() {
  const { api, can } = useSignedIn();
  useTitle('Webhooks', 'Custos console');
  const types = useLoad(() => api.get<EventTypes>('/v1/webhooks/event-types'), [api]);
  const manage = can('notifications.manage');
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Other systems hear of consent changes and requests through signed webhooks (Standard Webhooks). Events carry identifiers, never personal data."
      />
      <LoadState loaded={types}>
        {(data) => (
          <>
            <Endpoints
              manage={manage}
              types={data.items.filter((item) => item.subscribable).map((item) => item.type)}
            />
            <Deliveries manage={manage} />
          </>
        )}
      </LoadState>
    </>
  );
}
