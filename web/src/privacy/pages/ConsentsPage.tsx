import { consentStatusLabels, formatDateTime, humanize, label, legalBasisLabels } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import { Alert, Badge, Button, Card, Empty, ErrorAlert, LoadState, PageHeader } from '../../shared/ui';
import { useConfig, usePrivacy } from '../session';
import type { OwnConsent, OwnConsentEvent } from '../types';

const actionLabels: Record<string, string> = {
  grant: 'Gave consent',
  withdraw: 'Withdrew',
  deny: 'Declined',
  object: 'Objected',
  expire: 'Expired',
};

function buttonLabel(item: OwnConsent, action: 'grant' | 'withdraw' | 'object'): string {
  if (action === 'object') return 'Object to this';
  if (item.purpose.consentRequired) return action === 'grant' ? 'Give consent' : 'Withdraw consent';
  if (item.objectedAt) return 'Withdraw my objection';
  return action === 'grant' ? 'Allow again' : 'Opt out';
}

function standingText(item: OwnConsent): { text: string; tone: string } {
  if (item.objectedAt) return { text: 'You objected', tone: 'neutral' };
  if (item.status) {
    return {
      text: label(consentStatusLabels, item.status),
      tone: item.status === 'granted' ? 'success' : 'neutral',
    };
  }
  return item.purpose.consentRequired
    ? { text: 'Not given', tone: 'neutral' }
    : { text: 'Applies without consent', tone: 'info' };
}

/** Every purpose with the subject's choice, one click to change it, and the history of their choices. */
export function ConsentsPage() {
  const { api, gpc } = usePrivacy();
  const config = useConfig();
  useTitle('Consents', config.branding.name);
  const consents = useLoad(() => api.get<{ items: OwnConsent[] }>('/v1/privacy/me/consents'), [api]);
  const history = useLoad(
    () => api.get<{ items: OwnConsentEvent[] }>('/v1/privacy/me/consents/history'),
    [api],
  );
  const change = useAction(async (item: OwnConsent, action: 'grant' | 'withdraw' | 'object') => {
    await api.post('/v1/privacy/me/consents', {
      purpose: item.purpose.key,
      action,
      globalPrivacyControl: gpc,
    });
    await Promise.all([consents.reload(), history.reload()]);
  });
  const names = new Map((consents.data?.items ?? []).map((item) => [item.purpose.key, item.purpose.name]));

  return (
    <>
      <PageHeader
        title="Consents"
        description="What we may do with your data, and why. Change any choice at any time; withdrawing is as easy as giving."
      />
      {gpc ? (
        <Alert tone="info" title="Global Privacy Control is on">
          Your browser asks us not to sell or share your data; we have opted you out of every purpose that
          would.
        </Alert>
      ) : null}
      <ErrorAlert error={change.error} />
      <LoadState loaded={consents} label="Loading your choices…">
        {(data) =>
          data.items.length === 0 ? (
            <Empty>We have not published any purposes.</Empty>
          ) : (
            <div className="stack">
              {data.items.map((item) => {
                const standing = standingText(item);
                return (
                  <Card key={item.purpose.key} title={item.purpose.name} className="consent-card">
                    <div className="list-row">
                      <span className="purpose-meta">
                        Legal basis: {label(legalBasisLabels, item.purpose.legalBasis)}
                      </span>
                      <Badge tone={standing.tone}>{standing.text}</Badge>
                    </div>
                    <p>{item.purpose.text}</p>
                    {item.updatedAt ? (
                      <p className="purpose-meta">
                        Your choice was recorded {formatDateTime(item.updatedAt)}.
                      </p>
                    ) : null}
                    {item.actions.length > 0 ? (
                      <div className="button-row">
                        {item.actions.map((action) => (
                          <Button
                            key={action}
                            variant={action === 'grant' ? 'primary' : 'secondary'}
                            busy={change.busy}
                            aria-label={`${buttonLabel(item, action)}: ${item.purpose.name}`}
                            onClick={() => void change.run(item, action)}
                          >
                            {buttonLabel(item, action)}
                          </Button>
                        ))}
                      </div>
                    ) : (
                      <p className="purpose-meta">
                        This processing is needed by law or for our contract with you.
                      </p>
                    )}
                  </Card>
                );
              })}
            </div>
          )
        }
      </LoadState>
      <Card title="Your history">
        <LoadState loaded={history}>
          {(data) =>
            data.items.length === 0 ? (
              <Empty>No choices recorded yet.</Empty>
            ) : (
              <ol className="timeline">
                {[...data.items].reverse().map((event) => (
                  <li key={event.eventId}>
                    <time dateTime={event.givenAt}>{formatDateTime(event.givenAt)}</time>
                    <strong>{label(actionLabels, event.action)}</strong>:{' '}
                    {names.get(event.purpose) ?? event.purpose}{' '}
                    <span className="muted">
                      (text version {event.version}
                      {event.source ? `, via ${humanize(event.source)}` : ''})
                    </span>
                  </li>
                ))}
              </ol>
            )
          }
        </LoadState>
      </Card>
    </>
  );
}
