/** Pieces the data-map pages share: the map itself, country pickers, labels and the section's tabs. */
import { type KeyboardEvent, type ReactNode, useId, useState } from 'react';
import { NavLink } from 'react-router';
import { ApiError } from '../../shared/api';
import { useLoad } from '../../shared/hooks';
import { Badge, Button, TextField } from '../../shared/ui';
import { useSignedIn } from '../session';
import { termFor, useTaxonomy } from '../taxonomy';
import type { DataMap, ProcessorEntry, SystemEntry } from '../types';
import { countries, countryName, isCountryCode, regionCodes } from './countries';
import { loadDataMap } from './inventory-api';

/** A retention rule as the data map names it: its name and its period, or the trigger it waits for. */
export function retentionLabel(policy: DataMap['retention'][number]): string {
  return `${policy.name} (${policy.duration ?? `until ${policy.trigger.replaceAll('_', ' ')}`})`;
}

/** The whole map (`GET /v1/inventory/map`): every page of the section reads what it shows from it. */
export function useDataMap() {
  const { api } = useSignedIn();
  return useLoad(() => loadDataMap(api), [api]);
}

export function useManage(): boolean {
  return useSignedIn().can('inventory.manage');
}

export function fieldErrorOf(error: unknown) {
  return (path: string) => (error instanceof ApiError ? error.fieldError(path) : undefined);
}

const tabs = [
  { to: '/data-map', label: 'Picture', end: true },
  { to: '/data-map/systems', label: 'Systems & assets' },
  { to: '/data-map/processors', label: 'Processors' },
  { to: '/data-map/activities', label: 'Processing activities' },
  { to: '/data-map/organization', label: 'Organization & measures' },
  { to: '/data-map/ropa', label: 'RoPA & notice' },
  { to: '/data-map/findings', label: 'Findings' },
  { to: '/data-map/fides', label: 'Fides' },
];

/** The section's own navigation, under every page's heading. */
export function DataMapTabs() {
  return (
    <nav className="subnav" aria-label="Data map">
      <ul>
        {tabs.map((tab) => (
          <li key={tab.to}>
            <NavLink to={tab.to} end={tab.end}>
              {tab.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export const originLabels: Record<SystemEntry['origin'], string> = {
  custos: 'Derived from Custos itself',
  collection: 'Derived from a vault collection',
  registered: 'Registered',
};

/** Where an entry comes from, and that derived ones change with their source, not here. */
export function OriginBadge({ system }: { system: SystemEntry }) {
  if (system.origin === 'registered') return <Badge tone="neutral">Registered</Badge>;
  const source = system.origin === 'custos' ? 'Custos' : `collection ${system.name}`;
  return <Badge tone="info">Derived from {source} · read-only</Badge>;
}

export function derivedFrom(system: SystemEntry): string {
  if (system.origin === 'custos') return 'Custos itself: its deployment, encryption and audit settings.';
  if (system.origin === 'collection') {
    return `The vault collection ${system.name}: its fields, their categories and classification, and its retention policies. Change the collection to change this entry.`;
  }
  return 'Typed in by a person.';
}

export function DpaBadge({ processor }: { processor: ProcessorEntry }) {
  const status = processor.dpaStatus;
  const tone = status === 'valid' ? 'success' : 'danger';
  const text = { valid: 'DPA valid', expired: 'DPA expired', missing: 'No DPA' }[status];
  return <Badge tone={tone}>{text}</Badge>;
}

/** Keys shown in monospace, with the taxonomy's name beside each when it has one. */
export function KeyList({ keys, kind }: { keys: readonly string[]; kind: 'data_category' | 'data_subject' }) {
  const terms = useTaxonomy(kind);
  if (keys.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="inline-list">
      {keys.map((key) => (
        <li key={key}>
          <span className="mono">{key}</span>
          {termFor(terms, key) ? <span className="muted"> ({termFor(terms, key)?.name})</span> : null}
        </li>
      ))}
    </ul>
  );
}

export function Countries({ codes }: { codes: readonly string[] }) {
  if (codes.length === 0) return <span className="muted">none</span>;
  return <>{codes.map(countryName).join(', ')}</>;
}

/** What a person typed into a country field: a code, or a name in English. */
function codeFor(text: string, allowRegions: boolean): string | undefined {
  const typed = text.trim();
  const upper = typed.toUpperCase();
  if (isCountryCode(upper) || (allowRegions && regionCodes[upper])) return upper;
  const byName = countries.find((country) => country.name.toLowerCase() === typed.toLowerCase());
  const fromOption = /\(([A-Z]{2,3})\)$/.exec(typed)?.[1];
  if (fromOption && (isCountryCode(fromOption) || (allowRegions && regionCodes[fromOption]))) {
    return fromOption;
  }
  return byName?.code;
}

/** Country options for a text field: "Germany (DE)"; regions first when they are allowed. */
function CountryOptions({ id, allowRegions }: { id: string; allowRegions: boolean }) {
  return (
    <datalist id={id}>
      {allowRegions
        ? Object.keys(regionCodes).map((code) => <option key={code} value={countryName(code)} />)
        : null}
      {countries.map((country) => (
        <option key={country.code} value={`${country.name} (${country.code})`} />
      ))}
    </datalist>
  );
}

/** One country, by ISO code, chosen by name or code. */
export function CountryField({
  label,
  value,
  onChange,
  error,
  hint,
  required,
}: {
  label: string;
  value: string;
  onChange: (code: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  required?: boolean;
}) {
  const listId = useId();
  const [text, setText] = useState(value ? countryName(value) : '');
  // Judged once the person leaves the field, not at every letter typed.
  const [left, setLeft] = useState(false);
  const unknown = left && text.trim() !== '' && codeFor(text, false) === undefined;
  return (
    <>
      <TextField
        label={label}
        list={listId}
        autoComplete="off"
        required={required}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setLeft(false);
          onChange(codeFor(event.target.value, false) ?? event.target.value.trim());
        }}
        onBlur={() => setLeft(true)}
        hint={hint ?? 'An ISO 3166-1 code or the country’s name.'}
        error={error ?? (unknown ? 'Not a country: choose one from the list.' : undefined)}
      />
      <CountryOptions id={listId} allowRegions={false} />
    </>
  );
}

/** Several countries (and, where allowed, regions such as the EEA) as removable chips. */
export function CountryPicker({
  legend,
  value,
  onChange,
  allowRegions = false,
  hint,
  error,
}: {
  legend: string;
  value: readonly string[];
  onChange: (codes: string[]) => void;
  allowRegions?: boolean;
  hint?: string;
  error?: string | undefined;
}) {
  const listId = useId();
  const [text, setText] = useState('');
  const [unknown, setUnknown] = useState<string>();
  function add() {
    if (!text.trim()) return;
    const code = codeFor(text, allowRegions);
    if (!code) {
      setUnknown(
        `${text.trim()}: not a country${allowRegions ? ' or region' : ''}. Choose one from the list.`,
      );
      return;
    }
    setUnknown(undefined);
    setText('');
    onChange([...new Set([...value, code])]);
  }
  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    add();
  }
  return (
    <fieldset className="taxonomy-picker">
      <legend>{legend}</legend>
      {value.length > 0 ? (
        <ul className="chips">
          {value.map((code) => (
            <li key={code} className="chip">
              <span>{countryName(code)}</span>
              <Button
                variant="ghost"
                className="chip-remove"
                aria-label={`Remove ${countryName(code)}`}
                onClick={() => onChange(value.filter((item) => item !== code))}
              >
                ×
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None chosen yet.</p>
      )}
      <div className="copy-row picker-row">
        <TextField
          label={`Add to ${legend.toLowerCase()}`}
          list={listId}
          value={text}
          autoComplete="off"
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          hint={hint}
          error={unknown ?? error}
        />
        <Button onClick={add}>Add</Button>
      </div>
      <CountryOptions id={listId} allowRegions={allowRegions} />
    </fieldset>
  );
}

/** Comma-separated words, as typed into a field for a list of names. */
export function wordsOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}
