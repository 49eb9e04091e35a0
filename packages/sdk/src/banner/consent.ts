/**
 * The Custos consent banner (`<script src="https://custos.example.com/consent.js" async>`): shows the
 * website purposes, records the visitor's choices against a random visitor id kept in first-party
 * storage, honours Global Privacy Control, runs tagged scripts once their purposes are allowed and tells
 * tag managers. No third-party requests: it talks only to the Custos it was loaded from.
 */

import { el, trapFocus } from './dom.js';
import { bannerCss } from './styles.js';
import { languageOf, type Texts, texts } from './texts.js';

type BannerPurpose = {
  key: string;
  name: string;
  description: string;
  text: string;
  version: number;
  legalBasis: string;
  choosable: boolean;
  saleOrSharing: boolean;
};
type BannerConfig = {
  purposes: BannerPurpose[];
  brand: { name: string; color: string; privacyPolicyUrl: string | null };
};
type Stored = { choices: Record<string, boolean>; versions: Record<string, number>; at: string };

const visitorKey = 'custos.visitor';
const choicesKey = 'custos.consent';
const script = document.currentScript as HTMLScriptElement | null;
const origin = new URL(script?.src ?? location.href).origin;
const gpc = (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
const t: Texts = texts[languageOf(script?.dataset.lang, navigator.languages ?? [])];

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function visitorId(): string {
  const store = storage();
  let id = store?.getItem(visitorKey);
  if (!id || !/^[0-9a-f-]{36}$/.test(id)) {
    id = crypto.randomUUID();
    store?.setItem(visitorKey, id);
  }
  return id;
}

function stored(): Stored | undefined {
  try {
    return JSON.parse(storage()?.getItem(choicesKey) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

let config: BannerConfig | undefined;
let current: Record<string, boolean> = {};
let host: HTMLElement | undefined;
let root: ShadowRoot | undefined;

/** Whether the visitor allows a purpose: non-choosable ones are always on; unknown keys are off. */
function allows(key: string): boolean {
  const purpose = config?.purposes.find((candidate) => candidate.key === key);
  if (!purpose) return false;
  return purpose.choosable ? current[key] === true : true;
}

/** Runs every tagged script whose purposes (space-separated) are all allowed now. */
function unblockScripts(): void {
  const tagged = document.querySelectorAll<HTMLScriptElement>(
    'script[type="text/plain"][data-custos-purpose]',
  );
  for (const blocked of tagged) {
    const purposes = (blocked.dataset.custosPurpose ?? '').split(/\s+/).filter(Boolean);
    if (purposes.length === 0 || !purposes.every(allows)) continue;
    const runnable = document.createElement('script');
    for (const attribute of blocked.attributes) {
      if (attribute.name !== 'type') runnable.setAttribute(attribute.name, attribute.value);
    }
    runnable.type = blocked.dataset.custosType ?? 'text/javascript';
    // A nonce is hidden from attributes once parsed; the property still holds it (strict-dynamic CSPs).
    if (blocked.nonce) runnable.nonce = blocked.nonce;
    if (!blocked.src) runnable.text = blocked.text;
    blocked.replaceWith(runnable);
  }
}

/** Tells the page and tag managers (a `custos:consent` event, and `dataLayer` when there is one). */
function announce(): void {
  const detail = { purposes: { ...current }, gpc, visitorId: visitorId() };
  for (const purpose of config?.purposes ?? []) detail.purposes[purpose.key] = allows(purpose.key);
  window.dispatchEvent(new CustomEvent('custos:consent', { detail }));
  const layer = (window as Window & { dataLayer?: unknown[] }).dataLayer;
  if (Array.isArray(layer)) layer.push({ event: 'custos_consent', custos: detail });
}

async function save(choices: Record<string, boolean>): Promise<void> {
  const purposes = config?.purposes.filter((purpose) => purpose.choosable) ?? [];
  const response = await fetch(`${origin}/v1/consent/banner/choices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    credentials: 'omit',
    body: JSON.stringify({
      visitorId: visitorId(),
      gpc,
      choices: purposes.map((purpose) => ({
        purpose: purpose.key,
        granted: choices[purpose.key] === true,
        version: purpose.version,
      })),
    }),
  });
  if (!response.ok) throw new Error(`Custos answered ${response.status}`);
  current = choices;
  const versions = Object.fromEntries(purposes.map((purpose) => [purpose.key, purpose.version]));
  storage()?.setItem(choicesKey, JSON.stringify({ choices, versions, at: new Date().toISOString() }));
  closeAll();
  unblockScripts();
  announce();
}

/** Everything granted, except what Global Privacy Control opts out of. */
function allChoices(granted: boolean): Record<string, boolean> {
  const choices: Record<string, boolean> = {};
  for (const purpose of config?.purposes ?? []) {
    if (purpose.choosable) choices[purpose.key] = granted && !(gpc && purpose.saleOrSharing);
  }
  return choices;
}

function shadow(): ShadowRoot {
  if (root) return root;
  host = el('div', { id: 'custos-consent' });
  root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(bannerCss(config?.brand.color ?? '#1f4e8c'));
  root.adoptedStyleSheets = [sheet];
  document.body.append(host);
  return root;
}

function closeAll(): void {
  if (root) root.replaceChildren();
}

function failure(): HTMLElement {
  return el('p', { class: 'error', role: 'alert', hidden: true }, t.failed);
}

function saving(alert: HTMLElement, choices: Record<string, boolean>): void {
  save(choices).catch(() => {
    alert.hidden = false;
  });
}

function gpcNotice(): HTMLElement | undefined {
  return gpc && config?.purposes.some((purpose) => purpose.saleOrSharing)
    ? el('p', { class: 'gpc' }, t.gpcOn)
    : undefined;
}

function showBanner(): void {
  const target = shadow();
  const alert = failure();
  const policy = config?.brand.privacyPolicyUrl;
  const banner = el(
    'section',
    { class: 'banner', 'aria-labelledby': 'custos-title', role: 'region' },
    el('h2', { id: 'custos-title' }, t.title),
    el('p', {}, t.intro, ' ', policy ? el('a', { href: policy }, t.policy) : ''),
    gpcNotice() ?? '',
    alert,
    el(
      'div',
      { class: 'actions' },
      el(
        'button',
        { type: 'button', class: 'primary', onclick: () => saving(alert, allChoices(true)) },
        t.acceptAll,
      ),
      el(
        'button',
        { type: 'button', class: 'primary', onclick: () => saving(alert, allChoices(false)) },
        t.rejectAll,
      ),
      el('button', { type: 'button', onclick: () => showDialog() }, t.customize),
    ),
  );
  target.replaceChildren(banner);
}

function purposeRow(purpose: BannerPurpose, choices: Record<string, boolean>): HTMLElement {
  const id = `custos-purpose-${purpose.key}`;
  const optedOut = gpc && purpose.saleOrSharing;
  const box = el('input', { type: 'checkbox', id, 'aria-describedby': `${id}-text` }) as HTMLInputElement;
  box.checked = purpose.choosable ? choices[purpose.key] === true : true;
  box.disabled = !purpose.choosable;
  box.dataset.purpose = purpose.key;
  const state = purpose.choosable ? (optedOut ? t.gpcPurpose : '') : t.alwaysActive;
  return el(
    'div',
    { class: 'purpose' },
    el('label', { for: id }, box, purpose.name, state ? el('span', { class: 'state' }, ` (${state})`) : ''),
    el('p', { id: `${id}-text` }, purpose.text),
  );
}

function showDialog(): void {
  const target = shadow();
  const opener = target.activeElement as HTMLElement | null;
  const choices = Object.keys(current).length > 0 ? current : allChoices(false);
  const alert = failure();
  const rows = (config?.purposes ?? []).map((purpose) => purposeRow(purpose, choices));
  const chosen = () => {
    const result: Record<string, boolean> = {};
    for (const box of target.querySelectorAll<HTMLInputElement>('input[data-purpose]:not(:disabled)')) {
      result[box.dataset.purpose as string] = box.checked;
    }
    return result;
  };
  const previous = target.firstElementChild;
  const close = () => {
    backdrop.remove();
    if (previous) target.append(previous);
    (opener ?? (previous?.querySelector('button') as HTMLElement | null))?.focus();
  };
  const dialog = el(
    'div',
    { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'custos-dialog-title' },
    el('h2', { id: 'custos-dialog-title' }, t.dialogTitle),
    gpcNotice() ?? '',
    ...rows,
    alert,
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'button', class: 'primary', onclick: () => saving(alert, chosen()) }, t.save),
      el(
        'button',
        { type: 'button', class: 'primary', onclick: () => saving(alert, allChoices(true)) },
        t.acceptAll,
      ),
      el('button', { type: 'button', onclick: close }, t.close),
    ),
  );
  const backdrop = el('div', { class: 'backdrop' }, dialog);
  previous?.remove();
  target.append(backdrop);
  trapFocus(dialog, close);
}

/** Opens the preferences (for a "privacy settings" link: any element with `data-custos-open`). */
function open(): void {
  if (config) showDialog();
}

async function start(): Promise<void> {
  const response = await fetch(`${origin}/v1/consent/banner`, { credentials: 'omit' });
  if (!response.ok) return;
  config = (await response.json()) as BannerConfig;
  const previous = stored();
  const choosable = config.purposes.filter((purpose) => purpose.choosable);
  const answered =
    previous !== undefined &&
    choosable.every((purpose) => (previous.versions[purpose.key] ?? 0) >= purpose.version);
  if (previous) current = { ...previous.choices };
  if (gpc) for (const purpose of choosable) if (purpose.saleOrSharing) current[purpose.key] = false;
  document.addEventListener('click', (event) => {
    const trigger = (event.target as Element | null)?.closest?.('[data-custos-open]');
    if (trigger) {
      event.preventDefault();
      open();
    }
  });
  unblockScripts();
  if (answered || choosable.length === 0) announce();
  else showBanner();
}

const api = {
  open,
  /** The visitor's current choices: purpose key → allowed. */
  get: (): Record<string, boolean> =>
    Object.fromEntries((config?.purposes ?? []).map((purpose) => [purpose.key, allows(purpose.key)])),
  visitorId,
  gpc,
  ready:
    document.readyState === 'loading'
      ? new Promise<void>((resolve) =>
          document.addEventListener('DOMContentLoaded', () => resolve(start()), { once: true }),
        )
      : start(),
};
(window as Window & { CustosConsent?: typeof api }).CustosConsent = api;
