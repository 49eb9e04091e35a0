import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, InputError } from '../shared/api';
import { useAction } from '../shared/hooks';
import {
  Alert,
  Button,
  CheckboxField,
  ErrorAlert,
  SelectField,
  TextAreaField,
  TextField,
} from '../shared/ui';
import { useSignedIn } from './session';
import { isSpecialCategory, TaxonomyPicker, useTaxonomy, withPending } from './taxonomy';
import type { AutomatedDecisionMaking, Purpose } from './types';

/** GDPR Art. 6(1)(a)–(f), as the privacy team reads them. */
export const legalBasisOptions = [
  { value: 'consent', label: 'Consent — Art. 6(1)(a)' },
  { value: 'contract', label: 'Contract — Art. 6(1)(b)' },
  { value: 'legal_obligation', label: 'Legal obligation — Art. 6(1)(c)' },
  { value: 'vital_interests', label: 'Vital interests — Art. 6(1)(d)' },
  { value: 'public_task', label: 'Public task — Art. 6(1)(e)' },
  { value: 'legitimate_interests', label: 'Legitimate interests — Art. 6(1)(f)' },
];

/** GDPR Art. 9(2)(a)–(j): what allows processing special categories of personal data. */
export const specialConditionOptions = [
  { value: 'explicit_consent', label: '(a) Explicit consent' },
  { value: 'employment_social_security', label: '(b) Employment, social security and social protection law' },
  { value: 'vital_interests', label: '(c) Vital interests of someone unable to consent' },
  { value: 'not_for_profit_body', label: '(d) Not-for-profit body, about its members' },
  { value: 'made_public_by_subject', label: '(e) Made manifestly public by the subject' },
  { value: 'legal_claims', label: '(f) Legal claims or courts' },
  { value: 'substantial_public_interest', label: '(g) Substantial public interest' },
  { value: 'health_or_social_care', label: '(h) Health or social care' },
  { value: 'public_health', label: '(i) Public health' },
  { value: 'archiving_research_statistics', label: '(j) Archiving, research or statistics' },
];

type Draft = {
  key: string;
  name: string;
  description: string;
  legalBasis: string;
  specialCategoryCondition: string;
  dataUses: string[];
  pendingUses: string;
  dataCategories: string[];
  pendingCategories: string;
  sale: boolean;
  sharing: boolean;
  sensitive: boolean;
  text: string;
  reconsentOnChange: boolean;
  website: boolean;
  automated: boolean;
  logic: string;
  significance: string;
  consequences: string;
};

function draftOf(purpose: Purpose | undefined): Draft {
  const decisions: AutomatedDecisionMaking = purpose?.automatedDecisionMaking ?? { applies: false };
  return {
    key: purpose?.key ?? '',
    name: purpose?.name ?? '',
    description: purpose?.description ?? '',
    legalBasis: purpose?.legalBasis ?? 'consent',
    specialCategoryCondition: purpose?.specialCategoryCondition ?? '',
    dataUses: purpose?.dataUses ?? [],
    pendingUses: '',
    dataCategories: purpose?.dataCategories ?? [],
    pendingCategories: '',
    sale: purpose?.ccpa.sale ?? false,
    sharing: purpose?.ccpa.sharing ?? false,
    sensitive: purpose?.ccpa.sensitive ?? false,
    text: purpose?.text ?? '',
    reconsentOnChange: purpose?.reconsentOnChange ?? true,
    website: purpose?.website ?? false,
    automated: decisions.applies,
    logic: decisions.applies ? decisions.logic : '',
    significance: decisions.applies ? decisions.significance : '',
    consequences: decisions.applies ? decisions.consequences : '',
  };
}

function decisionsOf(draft: Draft): AutomatedDecisionMaking {
  if (!draft.automated) return { applies: false };
  return {
    applies: true,
    logic: draft.logic.trim(),
    significance: draft.significance.trim(),
    consequences: draft.consequences.trim(),
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Whether saving changes what subjects agree to (the server decides the same way): the text, the legal
 * basis, the data uses or categories, or the automated decisions made for the purpose.
 */
function makesNewVersion(purpose: Purpose, draft: Draft): boolean {
  const decisions = decisionsOf(draft);
  const before: AutomatedDecisionMaking = purpose.automatedDecisionMaking ?? { applies: false };
  return (
    purpose.text !== draft.text ||
    purpose.legalBasis !== draft.legalBasis ||
    !sameSet(purpose.dataUses, withPending(draft.dataUses, draft.pendingUses)) ||
    !sameSet(purpose.dataCategories, withPending(draft.dataCategories, draft.pendingCategories)) ||
    JSON.stringify(before) !== JSON.stringify(decisions)
  );
}

type Saved = { purpose: Purpose; newVersion: boolean; requiresReconsent: boolean };

/** What saving a change did, in words. */
export function describeSaved(saved: Saved): string {
  const { purpose } = saved;
  if (!saved.newVersion)
    return `Saved. The terms did not change, so this is still version ${purpose.version}.`;
  return saved.requiresReconsent
    ? `Saved as version ${purpose.version}. Consents given for earlier versions no longer count: subjects are asked again.`
    : `Saved as version ${purpose.version}. Consents given for earlier versions still count.`;
}

function fieldError(error: unknown, path: string): string | undefined {
  return error instanceof ApiError ? error.fieldError(path) : undefined;
}

/**
 * Creates a purpose, or changes one (`purpose` given): name and description, the legal basis with the Art.
 * 9(2) condition when special categories are covered, data uses and categories from the taxonomy, CCPA
 * flags, the text subjects see, whether older consents still count after a change, and automated
 * decision-making. A change of the terms says beforehand that it makes a new version.
 */
export function PurposeForm({
  purpose,
  onSaved,
  onCancel,
}: {
  purpose?: Purpose;
  onSaved: (saved: Saved) => Promise<void> | void;
  onCancel?: () => void;
}) {
  const { api } = useSignedIn();
  const categories = useTaxonomy('data_category');
  const [draft, setDraft] = useState<Draft>(() => draftOf(purpose));
  const [requireReconsent, setRequireReconsent] = useState<boolean>(purpose?.reconsentOnChange ?? true);
  const editing = purpose !== undefined;
  const chosenCategories = withPending(draft.dataCategories, draft.pendingCategories);
  const special = chosenCategories.some((key) => isSpecialCategory(categories, key));
  const newVersion = purpose ? makesNewVersion(purpose, draft) : false;
  const becomesConsent = purpose && purpose.legalBasis !== 'consent' && draft.legalBasis === 'consent';

  const save = useAction(async () => {
    const dataUses = withPending(draft.dataUses, draft.pendingUses);
    if (dataUses.length === 0) throw new InputError('Choose at least one data use.');
    if (special && !draft.specialCategoryCondition) {
      throw new InputError('Special categories of data are covered: choose the Art. 9(2) condition.');
    }
    const body = {
      name: draft.name,
      description: draft.description,
      legalBasis: draft.legalBasis,
      specialCategoryCondition: special ? draft.specialCategoryCondition : null,
      dataUses,
      dataCategories: chosenCategories,
      ccpa: { sale: draft.sale, sharing: draft.sharing, sensitive: draft.sensitive },
      text: draft.text,
      reconsentOnChange: draft.reconsentOnChange,
      automatedDecisionMaking: decisionsOf(draft),
      website: draft.website,
    };
    if (purpose) {
      const saved = await api.put<Saved>(`/v1/consent/purposes/${purpose.key}`, {
        ...body,
        ...(newVersion ? { requireReconsent } : {}),
      });
      await onSaved(saved);
      return;
    }
    const created = await api.post<Purpose>('/v1/consent/purposes', { key: draft.key, ...body });
    setDraft(draftOf(undefined));
    await onSaved({ purpose: created, newVersion: false, requiresReconsent: false });
  });

  const set =
    (name: 'key' | 'name' | 'description' | 'legalBasis' | 'specialCategoryCondition' | 'text') =>
    (event: { target: { value: string } }) =>
      setDraft({ ...draft, [name]: event.target.value });
  const flag =
    (name: 'sale' | 'sharing' | 'sensitive' | 'automated' | 'website') =>
    (event: { target: { checked: boolean } }) =>
      setDraft({ ...draft, [name]: event.target.checked });

  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }

  const error = save.error;
  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      <ErrorAlert error={error} />
      <div className="form-row">
        {editing ? null : (
          <TextField
            label="Key"
            required
            value={draft.key}
            onChange={set('key')}
            pattern="[a-z][a-z0-9_]*"
            hint="Lower-case letters, digits and _, e.g. newsletter. Applications name the purpose by it."
            error={fieldError(error, 'key')}
          />
        )}
        <TextField
          label="Name"
          required
          value={draft.name}
          onChange={set('name')}
          error={fieldError(error, 'name')}
        />
      </div>
      <TextField
        label="Description"
        value={draft.description}
        onChange={set('description')}
        hint="For the privacy team and the records of processing."
      />
      <TextAreaField
        label="Text shown to data subjects"
        required
        rows={4}
        value={draft.text}
        onChange={set('text')}
        hint="A change of this text makes a new version of the purpose."
        error={fieldError(error, 'text')}
      />
      <div className="form-row">
        <SelectField
          label="Legal basis (GDPR Art. 6)"
          value={draft.legalBasis}
          onChange={set('legalBasis')}
          options={legalBasisOptions}
          hint="Only consent needs each subject’s grant."
          error={fieldError(error, 'legalBasis')}
        />
        {special ? (
          <SelectField
            label="Condition for special categories (GDPR Art. 9(2))"
            required
            value={draft.specialCategoryCondition}
            onChange={set('specialCategoryCondition')}
            options={[{ value: '', label: 'Choose the condition…' }, ...specialConditionOptions]}
            hint="The data categories include special categories of personal data (Art. 9(1))."
            error={fieldError(error, 'specialCategoryCondition')}
          />
        ) : null}
      </div>
      <TaxonomyPicker
        kind="data_use"
        legend="Data uses"
        addLabel="Add a data use"
        hint="A term of the taxonomy, e.g. marketing.communications.email."
        value={draft.dataUses}
        pending={draft.pendingUses}
        onChange={(next) => setDraft({ ...draft, dataUses: next.value, pendingUses: next.pending })}
        error={fieldError(error, 'dataUses')}
      />
      <TaxonomyPicker
        kind="data_category"
        legend="Data categories"
        addLabel="Add a data category"
        hint="e.g. user.contact.email; special categories (health, biometric, …) need an Art. 9(2) condition."
        value={draft.dataCategories}
        pending={draft.pendingCategories}
        onChange={(next) =>
          setDraft({ ...draft, dataCategories: next.value, pendingCategories: next.pending })
        }
        error={fieldError(error, 'dataCategories')}
      />
      <fieldset>
        <legend>California (CCPA/CPRA)</legend>
        <div className="button-row">
          <CheckboxField label="Sale of personal information" checked={draft.sale} onChange={flag('sale')} />
          <CheckboxField
            label="Sharing (cross-context behavioural advertising)"
            checked={draft.sharing}
            onChange={flag('sharing')}
          />
          <CheckboxField
            label="Uses sensitive personal information"
            checked={draft.sensitive}
            onChange={flag('sensitive')}
          />
        </div>
      </fieldset>
      <CheckboxField
        label="Show on websites (consent banner)"
        checked={draft.website}
        onChange={flag('website')}
        hint="Visitors of sites using /consent.js see this purpose with its text. Not part of the terms."
      />
      <fieldset>
        <legend>Automated decision-making (GDPR Art. 22)</legend>
        <CheckboxField
          label="Decisions are made solely by automated means, including profiling"
          checked={draft.automated}
          onChange={flag('automated')}
          hint="Subjects are told about it, with the logic involved and what it means for them."
        />
        {draft.automated ? (
          <>
            <TextAreaField
              label="The logic involved"
              required
              value={draft.logic}
              onChange={(event) => setDraft({ ...draft, logic: event.target.value })}
              error={fieldError(error, 'automatedDecisionMaking.logic')}
            />
            <TextAreaField
              label="Its significance for the subject"
              required
              value={draft.significance}
              onChange={(event) => setDraft({ ...draft, significance: event.target.value })}
              error={fieldError(error, 'automatedDecisionMaking.significance')}
            />
            <TextAreaField
              label="The envisaged consequences for the subject"
              required
              value={draft.consequences}
              onChange={(event) => setDraft({ ...draft, consequences: event.target.value })}
              error={fieldError(error, 'automatedDecisionMaking.consequences')}
            />
          </>
        ) : null}
      </fieldset>
      <RadioGroup
        legend="When the terms change later"
        name={`reconsent-${purpose?.key ?? 'new'}`}
        value={draft.reconsentOnChange ? 'ask' : 'keep'}
        onChange={(value) => setDraft({ ...draft, reconsentOnChange: value === 'ask' })}
        options={[
          { value: 'ask', label: 'Ask again: consents given for an earlier version stop counting' },
          { value: 'keep', label: 'Consents given for an earlier version still count' },
        ]}
      />
      {purpose && newVersion ? (
        <Alert tone="warning" title={`Saving makes version ${purpose.version + 1}`}>
          <p>
            The text, legal basis, data uses or categories, or automated decisions change what subjects agree
            to.
          </p>
          {becomesConsent ? (
            <p>The legal basis becomes consent: consents for earlier versions never count.</p>
          ) : (
            <RadioGroup
              legend={`Consents given for version ${purpose.version} and earlier`}
              name={`require-reconsent-${purpose.key}`}
              value={requireReconsent ? 'ask' : 'keep'}
              onChange={(value) => setRequireReconsent(value === 'ask')}
              options={[
                { value: 'ask', label: 'Stop counting: ask subjects again' },
                { value: 'keep', label: 'Still count' },
              ]}
            />
          )}
        </Alert>
      ) : null}
      <div className="button-row">
        <Button type="submit" variant="primary" busy={save.busy}>
          {editing ? 'Save changes' : 'Create purpose'}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}

function RadioGroup({
  legend,
  name,
  value,
  onChange,
  options,
}: {
  legend: ReactNode;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="radio-option">
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />{' '}
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}
