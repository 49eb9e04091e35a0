/** The organization profile (the RoPA's and notices' header) and the register of security measures. */
import { type FormEvent, useState } from 'react';
import { formatDateTime, humanize } from '../../shared/format';
import { useAction, useTitle } from '../../shared/hooks';
import {
  Alert,
  Button,
  Card,
  Empty,
  ErrorAlert,
  Facts,
  LoadState,
  SelectField,
  TextAreaField,
  TextField,
} from '../../shared/ui';
import { ActionDialog } from '../action-dialog';
import { useSignedIn } from '../session';
import type { MeasureEntry, MeasureKind, OrganizationProfile } from '../types';
import { CountryField, fieldErrorOf, useDataMap, useManage } from './common';
import { countryName } from './countries';
import { entryPath, inventoryPaths } from './inventory-api';

type ProfileDraft = {
  controllerName: string;
  address: string;
  country: string;
  representativeName: string;
  representativeContact: string;
  dpoContact: string;
  supervisoryAuthority: string;
};

function profileDraftOf(profile: OrganizationProfile): ProfileDraft {
  return {
    controllerName: profile.controllerName,
    address: profile.address,
    country: profile.country ?? '',
    representativeName: profile.representative?.name ?? '',
    representativeContact: profile.representative?.contact ?? '',
    dpoContact: profile.dpoContact,
    supervisoryAuthority: profile.supervisoryAuthority,
  };
}

/** The profile as the API takes it (`PUT /v1/inventory/organization`). */
function profileBodyOf(draft: ProfileDraft) {
  const representative = draft.representativeName.trim()
    ? { name: draft.representativeName.trim(), contact: draft.representativeContact.trim() }
    : null;
  return {
    controllerName: draft.controllerName.trim(),
    address: draft.address.trim(),
    country: draft.country || null,
    representative,
    dpoContact: draft.dpoContact.trim(),
    supervisoryAuthority: draft.supervisoryAuthority.trim(),
  };
}

function ProfileForm({
  profile,
  onSaved,
  onCancel,
}: {
  profile: OrganizationProfile;
  onSaved: () => Promise<void>;
  onCancel: () => void;
}) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState(() => profileDraftOf(profile));
  const save = useAction(async () => {
    await api.put(inventoryPaths.organization, profileBodyOf(draft));
    await onSaved();
  });
  const errorOf = fieldErrorOf(save.error);
  const text = (name: Exclude<keyof ProfileDraft, 'country'>) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: event.target.value });
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }
  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      <ErrorAlert error={save.error} />
      <div className="form-row">
        <TextField
          label="Controller"
          required
          value={draft.controllerName}
          onChange={text('controllerName')}
          hint="The organization’s legal name."
          error={errorOf('controllerName')}
        />
        <CountryField
          label="Country of establishment"
          value={draft.country}
          onChange={(country) => setDraft({ ...draft, country })}
          error={errorOf('country')}
        />
      </div>
      <TextAreaField
        label="Address"
        value={draft.address}
        onChange={text('address')}
        error={errorOf('address')}
      />
      <div className="form-row">
        <TextField
          label="DPO contact"
          value={draft.dpoContact}
          onChange={text('dpoContact')}
          error={errorOf('dpoContact')}
        />
        <TextField
          label="Supervisory authority"
          value={draft.supervisoryAuthority}
          onChange={text('supervisoryAuthority')}
          error={errorOf('supervisoryAuthority')}
        />
      </div>
      <div className="form-row">
        <TextField
          label="Representative (Art. 27): name"
          value={draft.representativeName}
          onChange={text('representativeName')}
          hint="For a controller outside the EU."
          error={errorOf('representative.name')}
        />
        <TextField
          label="Representative: contact"
          value={draft.representativeContact}
          onChange={text('representativeContact')}
          error={errorOf('representative.contact')}
        />
      </div>
      <div className="button-row">
        <Button type="submit" variant="primary" busy={save.busy}>
          Save profile
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

type MeasureDraft = { name: string; description: string; kind: MeasureKind };

function MeasureForm({
  measure,
  onDone,
  onCancel,
}: {
  measure?: MeasureEntry;
  onDone: (name: string) => Promise<void>;
  onCancel?: () => void;
}) {
  const { api } = useSignedIn();
  const empty: MeasureDraft = { name: '', description: '', kind: 'technical' };
  const [draft, setDraft] = useState<MeasureDraft>(() => (measure ? { ...measure } : empty));
  const save = useAction(async () => {
    const body = { name: draft.name.trim(), description: draft.description.trim(), kind: draft.kind };
    if (measure) await api.patch(entryPath('measures', measure.id), body);
    else await api.post(inventoryPaths.measures, body);
    if (!measure) setDraft(empty);
    await onDone(body.name);
  });
  const errorOf = fieldErrorOf(save.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }
  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      <ErrorAlert error={save.error} />
      <div className="form-row">
        <TextField
          label="Measure"
          required
          value={draft.name}
          onChange={(event) => setDraft({ ...draft, name: event.target.value })}
          placeholder="Encryption at rest"
          error={errorOf('name')}
        />
        <SelectField
          label="Kind"
          value={draft.kind}
          onChange={(event) => setDraft({ ...draft, kind: event.target.value as MeasureKind })}
          options={[
            { value: 'technical', label: 'Technical' },
            { value: 'organisational', label: 'Organisational' },
          ]}
        />
      </div>
      <TextAreaField
        label="Description"
        value={draft.description}
        onChange={(event) => setDraft({ ...draft, description: event.target.value })}
        error={errorOf('description')}
      />
      <div className="button-row">
        <Button type="submit" variant="primary" busy={save.busy}>
          {measure ? 'Save measure' : 'Add measure'}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}

function MeasureItem({
  measure,
  manage,
  onChanged,
}: {
  measure: MeasureEntry;
  manage: boolean;
  onChanged: (message: string) => Promise<void>;
}) {
  const { api } = useSignedIn();
  const [editing, setEditing] = useState(false);
  return (
    <li>
      <div className="list-row">
        <span>
          <strong>{measure.name}</strong> <span className="muted">· {humanize(measure.kind)}</span>
        </span>
        {manage && !editing ? (
          <span className="button-row">
            <Button variant="ghost" onClick={() => setEditing(true)}>
              Edit<span className="visually-hidden"> {measure.name}</span>
            </Button>
            <ActionDialog
              trigger={`Delete ${measure.name}`}
              title={`Delete ${measure.name}?`}
              submitLabel="Delete measure"
              variant="danger"
              description={<p>Activities linking it no longer list it.</p>}
              onSubmit={async () => {
                await api.delete(entryPath('measures', measure.id));
                await onChanged(`${measure.name} was deleted.`);
              }}
            />
          </span>
        ) : null}
      </div>
      {editing ? (
        <MeasureForm
          measure={measure}
          onCancel={() => setEditing(false)}
          onDone={async (name) => {
            setEditing(false);
            await onChanged(`${name} was saved.`);
          }}
        />
      ) : (
        <p>{measure.description}</p>
      )}
    </li>
  );
}

export function OrganizationView() {
  useTitle('Organization & measures · Data map', 'Custos console');
  const map = useDataMap();
  const manage = useManage();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string>();
  async function changed(message: string) {
    setNotice(message);
    await map.reload();
  }
  return (
    <LoadState loaded={map} label="Loading the organization…">
      {({ organization, measures }) => (
        <>
          {notice ? <Alert tone="success">{notice}</Alert> : null}
          <Card
            title="Organization profile"
            actions={
              manage && !editing ? <Button onClick={() => setEditing(true)}>Edit profile</Button> : undefined
            }
          >
            {editing ? (
              <ProfileForm
                profile={organization}
                onCancel={() => setEditing(false)}
                onSaved={async () => {
                  setEditing(false);
                  await changed('The organization profile was saved.');
                }}
              />
            ) : (
              <Facts
                items={[
                  ['Controller', organization.controllerName || '—'],
                  ['Address', organization.address || '—'],
                  ['Country', organization.country ? countryName(organization.country) : '—'],
                  [
                    'Representative',
                    organization.representative
                      ? `${organization.representative.name} (${organization.representative.contact})`
                      : '—',
                  ],
                  ['DPO contact', organization.dpoContact || '—'],
                  ['Supervisory authority', organization.supervisoryAuthority || '—'],
                  ['Updated', formatDateTime(organization.updatedAt)],
                ]}
              />
            )}
          </Card>
          <Card title="Security measures">
            <p className="muted">
              The technical and organisational measures activities link to (Art. 30(1)(g), Art. 32).
            </p>
            {measures.length === 0 ? (
              <Empty>No measures recorded.</Empty>
            ) : (
              <ul className="list">
                {measures.map((measure) => (
                  <MeasureItem key={measure.id} measure={measure} manage={manage} onChanged={changed} />
                ))}
              </ul>
            )}
            {manage ? (
              <details>
                <summary>Add a measure</summary>
                <MeasureForm onDone={(name) => changed(`${name} was added.`)} />
              </details>
            ) : null}
          </Card>
        </>
      )}
    </LoadState>
  );
}
