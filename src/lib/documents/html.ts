/**
 * A small, safe HTML builder for the documents Custos hands out. Text is escaped by construction: the
 * `html` tag escapes every interpolated value unless it is already `Html` built by this module, so a
 * name typed by anyone (`<script>`, quotes, `{{…}}`) stays text. There is no template language to
 * inject into: values are never parsed, only escaped.
 */
const brand: unique symbol = Symbol('html');

/** Markup built by this module, safe to place in a document as is. */
export type Html = { readonly [brand]: true; readonly text: string };

/** What may be interpolated: markup, text (escaped), numbers, nothing, or lists of these. */
export type HtmlValue = Html | string | number | null | undefined | false | readonly HtmlValue[];

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => entities[character] as string);
}

function markup(text: string): Html {
  return { [brand]: true, text };
}

export function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && brand in value;
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isHtml(value)) return value.text;
  return escapeHtml(String(value));
}

/** Tagged template: the literal parts are markup, every `${value}` is escaped (see {@link HtmlValue}). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let text = strings[0] ?? '';
  for (let index = 0; index < values.length; index += 1)
    text += render(values[index] as HtmlValue) + (strings[index + 1] ?? '');
  return markup(text);
}

/** Markup that is known to be safe because this code wrote it (a stylesheet, never user input). */
export function trustedMarkup(text: string): Html {
  return markup(text);
}

/** A list as `<ul>`, or a stand-in text when it is empty. */
export function list(items: readonly HtmlValue[], emptyText: string): Html {
  if (items.length === 0) return html`<p class="none">${emptyText}</p>`;
  return html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`;
}
