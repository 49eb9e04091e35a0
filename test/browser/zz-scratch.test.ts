import { describe, it } from 'vitest';
import { createOperator } from '../helpers/factories.js';
import { custosInChromium, expectAccessible, openContext, signIn, viewports } from './browser.js';

const now = new Date().toISOString();
const base = { createdAt: now, updatedAt: now };
const system = (id: string, origin: string, name: string, extra: Record<string, unknown> = {}) => ({
  id, origin, name, description: '', owner: 'Ops', kind: 'database', locations: ['DE'],
  dataCategories: ['user.contact.email'], dataSubjects: ['customer'], classification: 'confidential',
  retention: null, encryptionRequired: true, accessControls: { roles: [], permissions: [], notes: '' },
  geographicRestrictions: [], processorId: null, fulfilment: null, fields: null, ...base, ...extra,
});
const map = {
  generatedAt: now,
  organization: { controllerName: 'Acme', address: 'Street 1', country: 'DE', representative: null, dpoContact: 'dpo@acme.test', supervisoryAuthority: 'BfDI', updatedAt: null },
  systems: [
    system('custos', 'custos', 'Custos'),
    system('collection:customers', 'collection', 'customers', { fields: [{ name: 'email', dataCategory: 'user.contact.email', classification: 'confidential', encrypted: true }] }),
    system('collection:orders', 'collection', 'orders', { dataCategories: ['user.financial'] }),
    system('11111111-1111-4111-8111-111111111111', 'registered', 'CRM', { processorId: 'p1', locations: ['US'], fulfilment: { endpointId: 'e', endpointUrl: 'https://crm.test/tasks', enabled: true } }),
    system('22222222-2222-4222-8222-222222222222', 'registered', 'Mailer', { dataCategories: ['user.contact.email', 'user.name'] }),
  ],
  processors: [
    { id: 'p1', name: 'CloudCo', contact: 'privacy@cloud.test', country: 'US', role: 'processor', parentId: null, systemIds: ['11111111-1111-4111-8111-111111111111'], dpa: { signedAt: '2024-01-01', version: '2', reviewAt: '2025-01-01', reference: 'DMS-1' }, ...base },
    { id: 'p2', name: 'HostCo', contact: 'dpo@host.test', country: 'IE', role: 'sub_processor', parentId: 'p1', systemIds: [], dpa: null, ...base },
  ],
  activities: [{ id: 'a1', name: 'Newsletter', description: 'Sends news', role: 'controller', controller: null, jointControllers: [], purposeKeys: ['marketing'], collectionNames: ['customers'], systemIds: [], processorIds: ['p2'], measureIds: [], extraDataCategories: [], extraDataSubjects: [], recipientCategories: [], transferSafeguards: [], retentionNote: '', ...base }],
  measures: [{ id: 'm1', name: 'Encryption at rest', description: 'AES-GCM', kind: 'technical' }],
  purposes: [{ key: 'marketing', name: 'Marketing', description: '', legalBasis: 'consent', dataCategories: [], dataUses: [], automatedDecisions: false }],
  retention: [],
};

describe('scratch', () => {
  const suite = custosInChromium({ env: { CUSTOS_MFA_REQUIRED_ROLES: '' } });
  it('draws', async () => {
    const { custos, browser } = suite;
    const admin = await createOperator(custos, { roles: ['privacy_agent'] });
    for (const viewport of [viewports.desktop, viewports.phone]) {
      const { page, context, problems } = await openContext(browser, custos.baseUrl, viewport);
      await page.route('**/v1/auth/session', async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        if (body.permissions) body.permissions.push('inventory.read', 'inventory.manage');
        await route.fulfill({ response, json: body });
      });
      await page.route('**/v1/inventory/map', (route) => route.fulfill({ json: map }));
      await page.route('**/v1/inventory/findings', (route) => route.fulfill({ json: { generatedAt: now, counts: { high: 1, medium: 0, low: 0 }, items: [{ id: 'f', kind: 'processor_dpa_missing', severity: 'high', subject: { type: 'processor', id: 'p2', name: 'HostCo' }, message: 'HostCo has no DPA', action: 'Record the DPA', concerns: [] }] } }));
      await signIn(page, 'console', { email: admin.email, password: admin.password });
      await page.waitForTimeout(4000);
      await page.screenshot({ path: `/tmp/scratch/after-login.png` });
      console.log(page.url());
      await page.goto('/console/data-map');
      await page.locator('.react-flow__node').first().waitFor();
      await page.waitForTimeout(500);
      await page.screenshot({ path: `/tmp/scratch/map-${viewport.width}.png`, fullPage: true });
      console.log('problems', problems, await (async () => { try { await expectAccessible(page, 'map'); return 'a11y ok'; } catch (e) { return JSON.stringify(await (await import('./browser.js')).seriousA11yViolations(page)); } })());
      await page.goto('/console/data-map/systems/collection%3Acustomers');
      await page.getByText('Fields', { exact: true }).waitFor();
      await page.screenshot({ path: `/tmp/scratch/system-${viewport.width}.png`, fullPage: true });
      await page.goto('/console/data-map/processors');
      await page.getByText('DPA expired').waitFor();
      await page.screenshot({ path: `/tmp/scratch/processors-${viewport.width}.png`, fullPage: true });
      await page.goto('/console/data-map/systems');
      await page.getByText('Add a system, database').click();
      await page.screenshot({ path: `/tmp/scratch/systems-${viewport.width}.png`, fullPage: true });
      await context.close();
    }
  });
});
