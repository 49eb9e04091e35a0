import { describe, expect, it } from 'vitest';
import { escapeHtml, html, list, trustedMarkup } from './html.js';

describe('html', () => {
  it('escapes every interpolated text, in content and in attributes', () => {
    const name = `<script>alert("x")</script> & 'quotes' \`tick\``;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &#96;tick&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &#96;tick&#96;</p>',
    );
  });

  it('places markup built by html as is, and escapes markup-looking text that was not', () => {
    const inner = html`<strong>${'<b>'}</strong>`;
    expect(html`<p>${inner}</p>`.text).toBe('<p><strong>&lt;b&gt;</strong></p>');
    expect(html`<p>${{ text: '<b>forged</b>' } as never}</p>`.text).toBe('<p>[object Object]</p>');
  });

  it('joins lists, writes numbers and leaves nothing for null, undefined and false', () => {
    expect(html`${['a<', html`<i>b</i>`, 3, null, undefined, false]}`.text).toBe('a&lt;<i>b</i>3');
  });

  it('does not read template syntax in values', () => {
    const value = '{{7*7}} <%= secret %> #{secret}';
    expect(html`<p>${value}</p>`.text).toBe('<p>{{7*7}} &lt;%= secret %&gt; #{secret}</p>');
  });

  it('writes a list, or the stand-in text when it is empty', () => {
    expect(list(['x', 'y'], 'none').text).toBe('<ul><li>x</li><li>y</li></ul>');
    expect(list([], 'None <yet>').text).toBe('<p class="none">None &lt;yet&gt;</p>');
  });

  it('trusts only markup the code marks as such', () => {
    expect(html`${trustedMarkup('<hr>')}`.text).toBe('<hr>');
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });
});
