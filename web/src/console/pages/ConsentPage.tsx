import { useState } from 'react';
import { formatDate, formatDateTime, humanize, label } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import { Alert, Badge, Button, Card, Empty, ErrorAlert, LoadState, PageHeader } from '../../shared/ui';
import { describeSaved, legalBasisOptions, PurposeForm, specialConditionOptions } from '../purpose-form';
import { useSignedIn } from '../session';
import type { AutomatedDecisionMaking, Purpose } from '../types';

type Version = {
  version: number;
  text: string;
  legalBasis: string;
  requiresReconsent: boolean;
  createdAt: string;
};

const basisLabels = Object.fromEntries(legalBasisOptions.map((option) => [option.value, option.label]));
const conditionLabels = Object.fromEntries(
  specialConditionOptions.map((option) => [option.value, option.label]),
);

/** The form to define a new purpose, folded away until asked for. */
function CreatePurpose({ onCreated }: { onCreated: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<string>();
  return (
    <Card title="Create a purpose">
      {created ? <Alert tone="success">Purpose “{created}” created (version 1).</Alert> : null}
      <details open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>Define a new purpose of processing</summary>
        {open ? (
          <PurposeForm
            onSaved={async ({ purpose }) => {
              setCreated(purpose.name);
              setOpen(false);
              await onCreated();
            }}
          />
        ) : null}
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
          <strong>Version {version.version}</strong> · {label(basisLabels, version.legalBasis)}
          {version.requiresReconsent ? ' · earlier consents stopped counting' : ''}
          <p>{version.text}</p>
        </li>
      ))}
    </ol>
  );
}

function Decisions({ decisions }: { decisions: AutomatedDecisionMaking | undefined }) {
  if (!decisions?.applies) return null;
  return (
    <details>
      <summary>Automated decision-making (GDPR Art. 22)</summary>
      <dl className="facts">
        <div>
          <dt>Logic involved</dt>
          <dd>{decisions.logic}</dd>
        </div>
        <div>
          <dt>Significance</dt>
          <dd>{decisions.significance}</dd>
        </div>
        <div>
          <dt>Envisaged consequences</dt>
          <dd>{decisions.consequences}</dd>
        </div>
      </dl>
    </details>
  );
}

/** One purpose: its terms and versions, and — for those who manage purposes — a form to change it. */
function PurposeCard({
  purpose,
  manage,
  onChanged,
}: {
  purpose: Purpose;
  manage: boolean;
  onChanged: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<string>();
  return (
    <Card
      title={purpose.name}
      actions={
        <span className="button-row">
          <Badge tone={purpose.consentRequired ? 'info' : 'neutral'}>{humanize(purpose.legalBasis)}</Badge>
          {purpose.ccpa.sale ? <Badge tone="warning">CCPA sale</Badge> : null}
          {purpose.ccpa.sharing ? <Badge tone="warning">CCPA sharing</Badge> : null}
          {purpose.ccpa.sensitive ? <Badge tone="warning">CCPA sensitive</Badge> : null}
          {purpose.automatedDecisionMaking?.applies ? (
            <Badge tone="warning">Automated decisions</Badge>
          ) : null}
          {manage && !editing ? (
            <Button
              variant="secondary"
              onClick={() => {
                setSaved(undefined);
                setEditing(true);
              }}
            >
              Edit<span className="visually-hidden"> {purpose.name}</span>
            </Button>
          ) : null}
        </span>
      }
    >
      {saved ? <Alert tone="success">{saved}</Alert> : null}
      <p className="muted">
        <span className="mono">{purpose.key}</span> · version {purpose.version} · updated{' '}
        {formatDate(purpose.updatedAt)}
        {purpose.minVersion > 1 ? ` · consents below version ${purpose.minVersion} no longer count` : ''}
        {purpose.reconsentOnChange
          ? ' · a change of terms asks subjects again'
          : ' · consents for earlier versions keep counting after a change'}
      </p>
      {purpose.description ? <p>{purpose.description}</p> : null}
      <blockquote className="purpose-text">{purpose.text}</blockquote>
      <p className="muted">
        {label(basisLabels, purpose.legalBasis)}
        {purpose.specialCategoryCondition
          ? ` · special categories under Art. 9(2)${label(conditionLabels, purpose.specialCategoryCondition)}`
          : ''}
      </p>
      <p className="muted">
        Data uses: <span className="mono">{purpose.dataUses.join(', ')}</span>
        {purpose.dataCategories.length > 0 ? (
          <>
            {' '}
            · categories: <span className="mono">{purpose.dataCategories.join(', ')}</span>
          </>
        ) : null}
      </p>
      <Decisions decisions={purpose.automatedDecisionMaking} />
      {editing ? (
        <section className="edit-form" aria-label={`Change ${purpose.name}`}>
          <h3>Change this purpose</h3>
          <PurposeForm
            purpose={purpose}
            onCancel={() => setEditing(false)}
            onSaved={async (result) => {
              setSaved(describeSaved(result));
              setEditing(false);
              await onChanged();
            }}
          />
        </section>
      ) : null}
      <Versions key={purpose.version} purpose={purpose} />
    </Card>
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
              <PurposeCard
                key={purpose.key}
                purpose={purpose}
                manage={can('consent.purposes.manage')}
                onChanged={purposes.reload}
              />
            ))
          )
        }
      </LoadState>
    </>
  );
}
