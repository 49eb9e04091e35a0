import { useState } from 'react';
import { formatBytes, formatDate, formatDateTime, humanize, valueText } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import { Alert, Button, Card, Empty, ErrorAlert, Facts, LoadState, PageHeader } from '../../shared/ui';
import { useConfig, usePrivacy } from '../session';
import type { OwnRecord, PortabilityDownload } from '../types';

function Download() {
  const { api } = usePrivacy();
  const [ready, setReady] = useState<PortabilityDownload>();
  const prepare = useAction(async () => {
    const archive = await api.post<PortabilityDownload>('/v1/privacy/me/export');
    setReady(archive);
    const link = document.createElement('a');
    link.href = archive.downloadPath;
    link.download = '';
    document.body.append(link);
    link.click();
    link.remove();
  });
  return (
    <Card title="Download your data">
      <p>
        A ZIP archive with everything on this page as JSON and as a spreadsheet-friendly CSV file per kind of
        data, for you to keep or take to another service.
      </p>
      <ErrorAlert error={prepare.error} />
      {ready ? (
        <Alert tone="success" title="Your archive is ready">
          The download has started. If it did not, <a href={ready.downloadPath}>download the archive</a> (
          {formatBytes(ready.size)}); the link works until {formatDate(ready.expiresAt)}.
        </Alert>
      ) : null}
      <Button variant="primary" busy={prepare.busy} onClick={() => void prepare.run()}>
        Download my data
      </Button>
    </Card>
  );
}

/** Everything held about the subject, in clear for them (each view is recorded in the audit log). */
export function MyDataPage() {
  const { api } = usePrivacy();
  const config = useConfig();
  useTitle('My data', config.branding.name);
  const records = useLoad(() => api.get<{ items: OwnRecord[] }>('/v1/privacy/me/data'), [api]);
  return (
    <>
      <PageHeader
        title="My data"
        description={`The personal data ${config.branding.name} holds about you. It is stored encrypted; showing it to you is recorded in our audit log.`}
      />
      <LoadState loaded={records} label="Loading your data…">
        {(data) =>
          data.items.length === 0 ? (
            <Empty>We hold no personal data about you.</Empty>
          ) : (
            data.items.map((record) => (
              <Card key={record.id} title={humanize(record.collection)}>
                {record.description ? <p className="muted">{record.description}</p> : null}
                <Facts
                  items={record.fields.map((field) => [
                    field.description ?? humanize(field.name),
                    valueText(field.value),
                  ])}
                />
                <p className="muted">Last changed {formatDateTime(record.updatedAt)}.</p>
              </Card>
            ))
          )
        }
      </LoadState>
      <Download />
    </>
  );
}
