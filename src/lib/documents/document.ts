/**
 * The one page shell of every document Custos hands on (RoPA, notices, DPIAs, reports): the
 * organization's header, the date and version on it, and print rules (A4, one section per page when
 * asked). HTML first; the PDF is printed from this HTML and the JSON sits beside it, so all three agree.
 */
import { createHash } from 'node:crypto';
import { type Html, html, trustedMarkup } from './html.js';

export type DocumentHeader = {
  /** The document's title, e.g. "Record of processing activities". */
  title: string;
  organization: string;
  /** Shown under the organization's name (an address). */
  organizationDetails?: string;
  /** When the content was generated, shown as a date and time in UTC. */
  generatedAt: Date;
  version: string;
  /** A line every reader must see, e.g. that the document is a draft. */
  notice?: string;
};

const stylesheet = `
:root { color: #1a1a1a; font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
header.document { border-bottom: 2px solid #1a1a1a; margin-bottom: 1.5rem; padding-bottom: .75rem; }
header.document h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
header.document p { margin: .1rem 0; }
.meta { color: #444; font-size: .9rem; }
.notice { background: #fff4ce; border: 1px solid #c9a400; margin: .75rem 0; padding: .5rem .75rem; }
section.page { margin-bottom: 2rem; }
h2 { border-bottom: 1px solid #999; font-size: 1.3rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; width: 30%; }
ul { margin: .25rem 0; padding-left: 1.25rem; }
.none { color: #666; font-style: italic; margin: .25rem 0; }
@page { margin: 16mm 14mm; size: A4; }
@media print {
  body { max-width: none; padding: 0; }
  section.page { break-before: page; page-break-before: always; }
  section.page:first-of-type { break-before: auto; page-break-before: auto; }
  h2, h3, th { break-after: avoid; }
  tr { break-inside: avoid; }
}
`;

/** The hash source of the stylesheet, for a Content-Security-Policy that allows it and nothing else. */
export const documentStyleHash = `sha256-${createHash('sha256').update(stylesheet).digest('base64')}`;

/**
 * The policy a document is served and printed under: no scripts, no network, only its own stylesheet,
 * so even markup that slipped through could neither run nor call out.
 */
export const documentContentSecurityPolicy = `default-src 'none'; style-src '${documentStyleHash}'; img-src data:; base-uri 'none'; form-action 'none'`;

function formatDate(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A complete HTML document: the header, then the body (use `<section class="page">` per printed page). */
export function htmlDocument(header: DocumentHeader, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${documentContentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${header.title} — ${header.organization}</title>
<style>${trustedMarkup(stylesheet)}</style>
</head>
<body>
<header class="document">
<h1>${header.title}</h1>
<p><strong>${header.organization}</strong></p>
${header.organizationDetails ? html`<p>${header.organizationDetails}</p>` : ''}
<p class="meta">Generated ${formatDate(header.generatedAt)} · Version ${header.version}</p>
${header.notice ? html`<p class="notice" role="note">${header.notice}</p>` : ''}
</header>
<main>
${body}
</main>
</body>
</html>
`.text;
}
