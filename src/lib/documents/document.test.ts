import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { documentContentSecurityPolicy, documentStyleHash, htmlDocument } from './document.js';
import { html } from './html.js';

const header = {
  title: 'Record <of> processing',
  organization: 'ACME "Ltd"',
  organizationDetails: '1 Main St',
  generatedAt: new Date('2026-05-04T03:02:01Z'),
  version: 'abc123',
  notice: 'Draft <for> editing',
};

describe('htmlDocument', () => {
  it('heads the document with the organization, the date and the version, all escaped', () => {
    const page = htmlDocument(header, html`<section class="page">body</section>`);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<h1>Record &lt;of&gt; processing</h1>');
    expect(page).toContain('<strong>ACME &quot;Ltd&quot;</strong>');
    expect(page).toContain('Generated 2026-05-04 03:02 UTC · Version abc123');
    expect(page).toContain('<p class="notice" role="note">Draft &lt;for&gt; editing</p>');
    expect(page).toContain('<section class="page">body</section>');
  });

  it('allows its own stylesheet and nothing else: no scripts, no network', () => {
    const page = htmlDocument(header, html``);
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    expect(`sha256-${createHash('sha256').update(style).digest('base64')}`).toBe(documentStyleHash);
    expect(documentContentSecurityPolicy).toContain("default-src 'none'");
    expect(page).toContain(`content="${documentContentSecurityPolicy.replaceAll("'", '&#39;')}"`);
  });

  it('breaks printed pages before each section', () => {
    expect(htmlDocument(header, html``)).toMatch(/section\.page \{ break-before: page;/);
  });
});
