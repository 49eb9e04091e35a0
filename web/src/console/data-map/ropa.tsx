/** The Record of Processing Activities, its downloads, and the privacy-notice draft. */
import { useState } from 'react';
import { Link } from 'react-router';
import { count, formatDateTime, label, legalBasisLabels } from '../../shared/format';
import { useLoad, useTitle } from '../../shared/hooks';
import { Alert, Card, Empty, LoadState, TableWrap } from '../../shared/ui';
import { useSignedIn } from '../session';
import type { Ropa } from '../types';
import { activityLink } from './activities';
import { countryName } from './countries';
import { inventoryPaths } from './inventory-api';

const downloads = [
  { format: 'pdf', label: 'PDF' },
  { format: 'html', label: 'HTML (printable)' },
  { format: 'csv', label: 'CSV' },
  { format: 'json', label: 'JSON' },
] as const;

function ControllerRegister({ ropa }: { ropa: Ropa }) {
  if (ropa.controllerRegister.length === 0) return <Empty>No activities as controller.</Empty>;
  return (
    <TableWrap label="Activities as controller (Art. 30(1))">
      <table>
        <caption className="visually-hidden">Activities as controller (Art. 30(1))</caption>
        <thead>
          <tr>
            <th scope="col">Activity</th>
            <th scope="col">Purposes and legal bases</th>
            <th scope="col">Data subjects</th>
            <th scope="col">Data categories</th>
            <th scope="col">Recipients</th>
            <th scope="col">Transfers</th>
            <th scope="col">Retention</th>
          </tr>
        </thead>
        <tbody>
          {ropa.controllerRegister.map((record) => (
            <tr key={record.activityId}>
              <td>
                <Link className="row-link" to={activityLink({ id: record.activityId })}>
                  {record.name}
                </Link>
              </td>
              <td>
                {record.purposes
                  .map((purpose) => `${purpose.name} (${label(legalBasisLabels, purpose.legalBasis)})`)
                  .join('; ') || '—'}
              </td>
              <td className="mono">{record.dataSubjects.join(', ') || '—'}</td>
              <td className="mono">{record.dataCategories.join(', ') || '—'}</td>
              <td>{record.recipients.map((recipient) => recipient.name).join(', ') || '—'}</td>
              <td>
                {record.transfers
                  .map(
                    (transfer) => `${countryName(transfer.country)}: ${transfer.safeguard ?? 'no safeguard'}`,
                  )
                  .join('; ') || '—'}
              </td>
              <td>
                {[
                  ...record.retention.map((item) => `${item.name} ${item.period ?? ''}`.trim()),
                  record.retentionNote,
                ]
                  .filter(Boolean)
                  .join('; ') || '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function ProcessorRegister({ ropa }: { ropa: Ropa }) {
  if (ropa.processorRegister.length === 0) return null;
  return (
    <Card title="Activities as processor (Art. 30(2))">
      <TableWrap label="Activities as processor (Art. 30(2))">
        <table>
          <caption className="visually-hidden">Activities as processor (Art. 30(2))</caption>
          <thead>
            <tr>
              <th scope="col">Activity</th>
              <th scope="col">Controller served</th>
              <th scope="col">Categories of processing</th>
              <th scope="col">Sub-processors</th>
            </tr>
          </thead>
          <tbody>
            {ropa.processorRegister.map((record) => (
              <tr key={record.activityId}>
                <td>
                  <Link className="row-link" to={activityLink({ id: record.activityId })}>
                    {record.name}
                  </Link>
                </td>
                <td>{record.controller?.name ?? '—'}</td>
                <td>{record.categoriesOfProcessing.join(', ') || '—'}</td>
                <td>{record.subProcessors.map((item) => item.name).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </Card>
  );
}

/** The notice draft as Markdown, read on the page; loaded only when asked for. */
function NoticePreview() {
  const { api } = useSignedIn();
  const [open, setOpen] = useState(false);
  const draft = useLoad(
    () => (open ? api.get<string>(inventoryPaths.notice, { format: 'markdown' }) : Promise.resolve('')),
    [api, open],
  );
  return (
    <details open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Read the notice draft here</summary>
      {open ? (
        <LoadState loaded={draft} label="Drafting the notice…">
          {(text) => (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
            <section className="notice-draft" tabIndex={0} aria-label="Privacy-notice draft (Markdown)">
              <pre>{text}</pre>
            </section>
          )}
        </LoadState>
      ) : null}
    </details>
  );
}

export function RopaView() {
  useTitle('RoPA · Data map', 'Custos console');
  const { api } = useSignedIn();
  const ropa = useLoad(() => api.get<Ropa>(inventoryPaths.ropa, { format: 'json' }), [api]);
  return (
    <>
      <Card title="Downloads">
        <p>
          The Record of Processing Activities (GDPR Art. 30), computed from the map when it is downloaded.
          Every download is recorded in the audit log.
        </p>
        <ul className="inline-list download-list">
          {downloads.map((item) => (
            <li key={item.format}>
              <a
                className="button button-secondary"
                href={api.href(inventoryPaths.ropa, { format: item.format })}
                download
              >
                RoPA as {item.label}
              </a>
            </li>
          ))}
        </ul>
        <h3>Privacy-notice draft</h3>
        <p>
          The information a notice must give (Art. 13/14), drafted from the map for the team to edit; what the
          map cannot know is marked “[to complete]”.
        </p>
        <ul className="inline-list download-list">
          <li>
            <a
              className="button button-secondary"
              href={api.href(inventoryPaths.notice, { format: 'html' })}
              download
            >
              Notice draft as HTML
            </a>
          </li>
          <li>
            <a
              className="button button-secondary"
              href={api.href(inventoryPaths.notice, { format: 'markdown' })}
              download
            >
              Notice draft as Markdown
            </a>
          </li>
        </ul>
        <NoticePreview />
      </Card>
      <LoadState loaded={ropa} label="Computing the RoPA…">
        {(data) => (
          <>
            <Card title="Activities as controller (Art. 30(1))">
              <Alert tone="info">
                Version <span className="mono">{data.version}</span> · computed{' '}
                {formatDateTime(data.generatedAt)} · {count(data.counts.activities, 'activity', 'activities')}
              </Alert>
              <ControllerRegister ropa={data} />
            </Card>
            <ProcessorRegister ropa={data} />
          </>
        )}
      </LoadState>
    </>
  );
}
