import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerProblemHandlers } from '../../src/http/problem.js';
import { requireAccessDeclarations } from '../../src/http/route-access.js';
import { registerWebApp, webContentSecurityPolicy } from '../../src/http/web-app.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/** A built web app in miniature: the two HTML shells and one hashed asset. */
function fakeBuild(): string {
  const root = mkdtempSync(join(tmpdir(), 'custos-web-'));
  for (const app of ['console', 'privacy']) {
    mkdirSync(join(root, app));
    writeFileSync(join(root, app, 'index.html'), `<!doctype html><title>${app}</title>`);
  }
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'assets', 'main-Ab12Cd34.js'), 'console.log("custos")');
  return root;
}

describe('serving the console and the privacy center', () => {
  const root = fakeBuild();
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { CUSTOS_BRAND_LOGO_URL: 'https://cdn.example.org/logo.svg' } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function appOn(webRoot: string) {
    const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
    requireAccessDeclarations(app);
    registerProblemHandlers(app);
    await registerWebApp(app, { root: webRoot, imageOrigins: ['https://cdn.example.org'] });
    await app.ready();
    return app;
  }

  it('answers each app’s shell at its prefix and at any path beneath it, revalidated on every load', async () => {
    const app = await appOn(root);
    for (const [url, title] of [
      ['/console', 'console'],
      ['/console/', 'console'],
      ['/console/requests/3f1d2c4b-1111-4222-8333-444455556666', 'console'],
      ['/privacy/consents', 'privacy'],
    ] as const) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.body).toContain(`<title>${title}</title>`);
      expect(response.headers['cache-control'], url).toBe('no-cache');
      expect(response.headers['content-security-policy']).toBe(
        webContentSecurityPolicy(['https://cdn.example.org']),
      );
    }
    await app.close();
  });

  it('caches hashed assets for a year and answers a missing one with a problem', async () => {
    const app = await appOn(root);
    const asset = await app.inject({ method: 'GET', url: '/assets/main-Ab12Cd34.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const missing = await app.inject({ method: 'GET', url: '/assets/nothing-here.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    const outside = await app.inject({ method: 'GET', url: '/assets/..%2Fconsole%2Findex.html' });
    expect(outside.statusCode).not.toBe(200);
    await app.close();
  });

  it('says how to build when the web app is missing, and sends / to the console', async () => {
    const app = await appOn(join(root, 'not-built'));
    const response = await app.inject({ method: 'GET', url: '/console/login' });
    expect(response.statusCode).toBe(503);
    expect(response.json().detail).toMatch(/npm run build/);
    const home = await app.inject({ method: 'GET', url: '/' });
    expect(home.statusCode).toBe(302);
    expect(home.headers.location).toBe('/console/');
    await app.close();
  });

  it('keeps API responses out of every cache next to the web app, and hands the branding to it', async () => {
    const api = await t.app.inject({ method: 'GET', url: '/v1/privacy/config' });
    expect(api.headers['cache-control']).toBe('no-store');
    expect(api.json().branding.logoUrl).toBe('https://cdn.example.org/logo.svg');
  });
});
