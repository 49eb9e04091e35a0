import { describe, expect, it } from 'vitest';
import { activityEntry, cleanDataMap, purposeSummary } from '../../../test/helpers/data-map.js';
import { draftNotice, markdownText, noticeContent, noticeHtml, noticeMarkdown } from './notice.js';

describe('privacy notice draft', () => {
  it('gathers the controller’s purposes with legal bases, recipients, transfers and retention', () => {
    const content = noticeContent(cleanDataMap());
    expect(content.purposes.map((purpose) => [purpose.name, purpose.legalBasis])).toEqual([
      ['Newsletter', 'consent'],
      ['Billing', 'contract'],
    ]);
    expect(content.recipients).toEqual(['Cloud Host Ltd (IE)', 'Mailer Inc. (US)']);
    expect(content.transfers).toEqual([
      { country: 'US', safeguards: ['Standard contractual clauses (2021/914), module 2'] },
    ]);
    expect(content.retention.map((entry) => entry.activity)).toEqual(['Newsletter', 'Billing']);
  });

  it('leaves out what is done as a processor for other controllers', () => {
    const content = noticeContent(cleanDataMap());
    expect(content.retention.some((entry) => entry.activity === 'Payroll for a client')).toBe(false);
  });

  it('says it is a draft and covers every item Art. 13 asks for, in HTML and Markdown', () => {
    const content = noticeContent(cleanDataMap());
    for (const text of [noticeHtml(content), noticeMarkdown(content)]) {
      expect(text).toContain('DRAFT generated from the data map for the privacy team to edit');
      for (const heading of [
        'Who is responsible for your data',
        'Data protection officer',
        'What we process, why, and on what legal basis',
        'Who receives your data',
        'Transfers outside the European Economic Area',
        'How long we keep your data',
        'Your rights',
        'Your right to complain',
        'Automated decision-making',
      ])
        expect(text).toContain(heading);
      expect(text).toContain('dpo@example.de');
      expect(text).toContain('Berliner Beauftragte');
      expect(text).toContain('withdraw');
    }
    expect(draftNotice).toMatch(/^DRAFT/);
  });

  it('names the purposes with automated decisions', () => {
    const map = cleanDataMap();
    map.purposes[0] = purposeSummary({ name: 'Credit scoring', automatedDecisions: true });
    expect(noticeMarkdown(noticeContent(map))).toContain('including profiling, for: Credit scoring');
    expect(noticeMarkdown(noticeContent(cleanDataMap()))).toContain(
      'None of our purposes involves decisions',
    );
  });

  it('escapes hostile names in both renderings', () => {
    const map = cleanDataMap();
    map.organization.controllerName = '<script>x</script> [link](javascript:alert(1))';
    map.activities[0] = activityEntry({ name: '# heading\n* item' });
    const content = noticeContent(map);
    expect(noticeHtml(content)).not.toContain('<script>x');
    const markdown = noticeMarkdown(content);
    expect(markdown).toContain('\\<script\\>x\\</script\\> \\[link\\](javascript:alert(1))');
    expect(markdown).toContain('- \\# heading \\* item');
  });

  it('makes text inert in Markdown', () => {
    expect(markdownText('a\n\n*b*_c_ `d` <e> [f] | ~g~ !h #i \\')).toBe(
      'a \\*b\\*\\_c\\_ \\`d\\` \\<e\\> \\[f\\] \\| \\~g\\~ \\!h \\#i \\\\',
    );
  });
});
