import { type FormEvent, useState } from 'react';
import { formatDate, formatDateTime, humanize, label, legalBasisLabels } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Badge,
  Button,
  Card,
  CheckboxField,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  SelectField,
  TextAreaField,
  TextField,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { Purpose } from '../types';

type Version = {
  version: number;
  text: string;
  legalBasis: string;
  requiresReconsent: boolean;
  createdAt: string;
};

const bases = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
];

/** Comma- or line-separated keys, as typed. */
function keysOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

function CreatePurpose({ onCreated }: { onCreated: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState({
    key: '',
    name: '',
    description: '',
    legalBasis: 'consent',
    dataUses: '',
    dataCategories: '',
    text: '',
    sale: false,
    sharing: false,
  });
  const create = useAction(async () => {
    await api.post('/v1/consent/purposes', {
      key: draft.key,
      name: draft.name,
      description: draft.description,
      legalBasis: draft.legalBasis,
      dataUses: keysOf(draft.dataUses),
      dataCategories: keysOf(draft.dataCategories),
      text: draft.text,
      ccpa: { sale: draft.sale, sharing: draft.sharing },
    });
    setDraft({ ...draft, key: '', name: '', description: '', text: '' });
    await onCreated();
  });
  const set = (name: keyof typeof draft) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: event.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }

  return (
    <Card title="Create a purpose">
      <details>
        <summary>Define a new purpose of processing</summary>
        <form className="form form-wide" onSubmit={submit}>
          <ErrorAlert error={create.error} />
          <div className="form-row">
            <TextField
              label="Key"
              required
              value={draft.key}
              onChange={set('key')}
              hint="Lower-case letters, digits and _, e.g. newsletter."
            />
            <TextField label="Name" required value={draft.name} onChange={set('name')} />
            <SelectField
              label="Legal basis (GDPR Art. 6)"
              value={draft.legalBasis}
              onChange={set('legalBasis')}
              options={bases.map((value) => ({ value, label: humanize(value) }))}
            />
          </div>
          <TextField label="Description" value={draft.description} onChange={set('description')} />
          <TextAreaField
            label="Text shown to data subjects"
            required
            rows={4}
            value={draft.text}
            onChange={set('text')}
            hint="A change of this text makes a new version."
          />
          <div className="form-row">
            <TextField
              label="Data uses"
              required
              value={draft.dataUses}
              onChange={set('dataUses')}
              hint="Taxonomy keys, comma-separated, e.g. marketing.communications.email"
            />
            <TextField
              label="Data categories"
              value={draft.dataCategories}
              onChange={set('dataCategories')}
              hint="e.g. user.contact.email"
            />
          </div>
          <div className="button-row">
            <CheckboxField
              label="CCPA: sale"
              checked={draft.sale}
              onChange={(event) => setDraft({ ...draft, sale: event.target.checked })}
            />
            <CheckboxField
              label="CCPA: sharing (cross-context advertising)"
              checked={draft.sharing}
              onChange={(event) => setDraft({ ...draft, sharing: event.target.checked })}
            />
          </div>
          <div>
            <Button type="submit" variant="primary" busy={create.busy}>
              Create purpose
            </Button>
          </div>
        </form>
      </details>
    </Card>
  );
}

function Versions({ purpose }: { purpose: Purpose }) {
  const { api } = useSignedIn();
  const [versions, setVersions] = useState<Version[]>();
  const load = useAction(async () => {
    const result = await api.get<{ items: Version[] }>(`/v1/consent/purposes/${purpose.key}/versions`);
    setVersions(result.items);
  });
  if (!versions) {
    return (
      <>
        <ErrorAlert error={load.error} />
        <Button variant="ghost" busy={load.busy} onClick={() => void load.run()}>
          Show the {purpose.version} version{purpose.version === 1 ? '' : 's'} of its text
        </Button>
      </>
    );
  }
  return (
    <ol className="timeline">
      {versions.map((version) => (
        <li key={version.version}>
          <time dateTime={version.createdAt}>{formatDateTime(version.createdAt)}</time>
          <strong>Version {version.version}</strong> · {label(legalBasisLabels, version.legalBasis)}
          {version.requiresReconsent ? ' · earlier consents stopped counting' : ''}
          <p>{version.text}</p>
        </li>
      ))}
    </ol>
  );
}

/** Purposes of processing: legal bases, texts and versions; the basis of every consent. */
export function ConsentPage() {
  const { api, can } = useSignedIn();
  useTitle('Purposes & consent', 'Custos console');
  const purposes = useLoad(() => api.get<{ items: Purpose[] }>('/v1/consent/purposes'), [api]);
  return (
    <>
      <PageHeader
        title="Purposes & consent"
        description="Why personal data is processed, on which legal basis, with the text subjects see. A subject’s consent state is on their page under Subjects."
      />
      {can('consent.purposes.manage') ? <CreatePurpose onCreated={purposes.reload} /> : null}
      <LoadState loaded={purposes} label="Loading purposes…">
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No purposes yet.</Empty>
          ) : (
            data.items.map((purpose) => (
              <Card
                key={purpose.key}
                title={purpose.name}
                actions={
                  <span className="button-row">
                    <Badge tone={purpose.consentRequired ? 'info' : 'neutral'}>
                      {humanize(purpose.legalBasis)}
                    </Badge>
                    {purpose.ccpa.sale ? <Badge tone="warning">CCPA sale</Badge> : null}
                    {purpose.ccpa.sharing ? <Badge tone="warning">CCPA sharing</Badge> : null}
                  </span>
                }
              >
                <p className="muted">
                  <span className="mono">{purpose.key}</span> · version {purpose.version} · updated{' '}
                  {formatDate(purpose.updatedAt)}
                  {purpose.minVersion > 1
                    ? ` · consents below version ${purpose.minVersion} no longer count`
                    : ''}
                </p>
                {purpose.description ? <p>{purpose.description}</p> : null}
                <blockquote className="purpose-text">{purpose.text}</blockquote>
                <p className="muted">
                  Data uses: <span className="mono">{purpose.dataUses.join(', ')}</span>
                  {purpose.dataCategories.length > 0 ? (
                    <>
                      {' '}
                      · categories: <span className="mono">{purpose.dataCategories.join(', ')}</span>
                    </>
                  ) : null}
                </p>
                <Versions purpose={purpose} />
              </Card>
            ))
          )
        }
      </LoadState>
    </>
  );
}
