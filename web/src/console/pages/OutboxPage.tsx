import { useState } from 'react';
import { Link } from 'react-router';
import { formatDateTime, humanize } from '../../shared/format';
import { useLoad, useTitle } from '../../shared/hooks';
import { Badge, Card, Empty, LoadState, PageHeader, SelectField } from '../../shared/ui';
import { useSignedIn } from '../session';
import type { Page } from '../types';

type OutboxMessage = {
  id: string;
  kind: string;
  status: 'held' | 'queued' | 'sent' | 'failed' | 'erased';
  reference: { type: string; id: string } | null;
  content: { to: string; subject: string; text: string } | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
};

function statusTone(status: string): string {
  if (status === 'sent') return 'success';
  if (status === 'failed') return 'danger';
  if (status === 'held') return 'warning';
  return 'info';
}

/**
 * The mail outbox: what Custos sent to requesters and operators, and — without an SMTP server — the
 * messages held for the team to pass on (verification codes, notices). Every read is audited.
 */
export function OutboxPage() {
  const { api } = useSignedIn();
  useTitle('Mail outbox', 'Custos console');
  const [status, setStatus] = useState('');
  const messages = useLoad(
    () => api.get<Page<OutboxMessage>>('/v1/outbox', { status, limit: 50 }),
    [api, status],
  );
  return (
    <>
      <PageHeader
        title="Mail outbox"
        description="Messages to requesters and operators. Without an SMTP server they are held here for you to pass on; they contain e-mail addresses and codes, and reading them is audited."
      />
      <div className="filters">
        <SelectField
          label="Status"
          value={status}
          onChange={(event) => setStatus(event.target.value)}
          options={[
            { value: '', label: 'Any' },
            { value: 'held', label: 'Held (no SMTP server)' },
            { value: 'queued', label: 'Being delivered' },
            { value: 'sent', label: 'Sent' },
            { value: 'failed', label: 'Failed' },
            { value: 'erased', label: 'Erased with their subject' },
          ]}
        />
      </div>
      <LoadState loaded={messages} label="Loading messages…">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No messages.</Empty>
          ) : (
            <div className="stack">
              {page.items.map((message) => (
                <Card
                  key={message.id}
                  title={message.content?.subject ?? humanize(message.kind)}
                  actions={<Badge tone={statusTone(message.status)}>{humanize(message.status)}</Badge>}
                >
                  <p className="muted">
                    {humanize(message.kind)} · {formatDateTime(message.createdAt)}
                    {message.content ? ` · to ${message.content.to}` : ''}
                    {message.reference?.type === 'request' ? (
                      <>
                        {' '}
                        · <Link to={`/requests/${message.reference.id}`}>the request</Link>
                      </>
                    ) : null}
                    {message.lastError ? ` · last error: ${humanize(message.lastError)}` : ''}
                  </p>
                  {message.content ? (
                    <pre className="mail-text">{message.content.text}</pre>
                  ) : message.status === 'erased' ? (
                    <p className="muted">The content was deleted when the person it was about was erased.</p>
                  ) : (
                    <p className="muted">
                      Delivered {formatDateTime(message.sentAt)}; the content was deleted.
                    </p>
                  )}
                </Card>
              ))}
            </div>
          )
        }
      </LoadState>
    </>
  );
}
