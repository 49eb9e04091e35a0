import { type KeyboardEvent, useId, useState } from 'react';
import type { ApiClient } from '../shared/api';
import type { Schemas } from '../shared/api-types';
import { useLoad } from '../shared/hooks';
import { Button, TextField } from '../shared/ui';
import { useSignedIn } from './session';

export type TaxonomyKind = 'data_category' | 'data_use' | 'data_subject';

export type TaxonomyTerm = Schemas['TaxonomyTerm'];

/** The taxonomy is reference data: loaded once per kind for the whole console. */
const cache = new Map<TaxonomyKind, Promise<TaxonomyTerm[]>>();

function loadTaxonomy(api: ApiClient, kind: TaxonomyKind): Promise<TaxonomyTerm[]> {
  let terms = cache.get(kind);
  if (!terms) {
    terms = api.get<{ items: TaxonomyTerm[] }>(`/v1/taxonomy/${kind}`).then((result) => result.items);
    terms.catch(() => cache.delete(kind));
    cache.set(kind, terms);
  }
  return terms;
}

/** The terms of one kind of the taxonomy (`GET /v1/taxonomy/{kind}`); empty while loading or on failure. */
export function useTaxonomy(kind: TaxonomyKind): TaxonomyTerm[] {
  const { api } = useSignedIn();
  return useLoad(() => loadTaxonomy(api, kind), [api, kind]).data ?? [];
}

/** The term for a key, or for the nearest ancestor of a custom key placed beneath the taxonomy. */
export function termFor(terms: readonly TaxonomyTerm[], key: string): TaxonomyTerm | undefined {
  const byKey = new Map(terms.map((term) => [term.key, term]));
  const parts = key.split('.');
  for (let length = parts.length; length > 0; length -= 1) {
    const term = byKey.get(parts.slice(0, length).join('.'));
    if (term) return term;
  }
  return undefined;
}

/** Whether a data category is (or sits beneath) a special category of GDPR Art. 9(1). */
export function isSpecialCategory(terms: readonly TaxonomyTerm[], key: string): boolean {
  return termFor(terms, key)?.specialCategory === true;
}

/** Comma- or space-separated keys, as typed. */
export function keysOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Suggestions for a text field: every term of the taxonomy, by key, with its name. */
export function TaxonomyOptions({ id, terms }: { id: string; terms: readonly TaxonomyTerm[] }) {
  return (
    <datalist id={id}>
      {terms.map((term) => (
        <option key={term.key} value={term.key}>
          {term.name}
        </option>
      ))}
    </datalist>
  );
}

/**
 * Several taxonomy keys: the chosen ones as a list with a remove button each, and a field suggesting the
 * taxonomy's terms to add another (custom keys beneath a term are accepted too). What is typed but not yet
 * added counts when the form is sent (`pending`).
 */
export function TaxonomyPicker({
  kind,
  legend,
  addLabel,
  hint,
  value,
  pending,
  onChange,
  error,
}: {
  kind: TaxonomyKind;
  legend: string;
  addLabel: string;
  hint?: string;
  value: readonly string[];
  /** What is typed but not added yet. */
  pending: string;
  /** The chosen keys and the typed text, changed together. */
  onChange: (next: { value: string[]; pending: string }) => void;
  error?: string | undefined;
}) {
  const terms = useTaxonomy(kind);
  const listId = useId();
  const [unknown, setUnknown] = useState<string>();

  function add() {
    const keys = keysOf(pending);
    if (keys.length === 0) return;
    const strange = keys.filter((key) => terms.length > 0 && !termFor(terms, key));
    if (strange.length > 0) {
      setUnknown(`${strange.join(', ')}: not in the taxonomy (nor beneath one of its terms).`);
      return;
    }
    setUnknown(undefined);
    onChange({ value: [...new Set([...value, ...keys])], pending: '' });
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
          {value.map((key) => {
            const term = termFor(terms, key);
            return (
              <li key={key} className="chip">
                <span className="mono">{key}</span>
                {term ? <span className="muted"> {term.name}</span> : null}
                {term?.specialCategory ? <span className="chip-flag"> · special category</span> : null}
                <Button
                  variant="ghost"
                  className="chip-remove"
                  aria-label={`Remove ${key}`}
                  onClick={() => onChange({ value: value.filter((item) => item !== key), pending })}
                >
                  ×
                </Button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted">None chosen yet.</p>
      )}
      <div className="copy-row picker-row">
        <TextField
          label={addLabel}
          list={listId}
          value={pending}
          autoComplete="off"
          onChange={(event) => onChange({ value: [...value], pending: event.target.value })}
          onKeyDown={onKeyDown}
          hint={hint}
          error={unknown ?? error}
        />
        <Button onClick={add}>Add</Button>
      </div>
      <TaxonomyOptions id={listId} terms={terms} />
    </fieldset>
  );
}

/** The keys chosen, with what was typed but not added yet. */
export function withPending(value: readonly string[], pending: string): string[] {
  return [...new Set([...value, ...keysOf(pending)])];
}
