import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/test-app.js';

/** Debian's Chromium (see DEVELOPERS.md); the tests never download a browser. */
export const chromiumPath = process.env.CUSTOS_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotsDir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

export const viewports = {
  desktop: { width: 1280, height: 860 },
  phone: { width: 390, height: 844 },
} as const;

export type RunningCustos = TestApp & { baseUrl: string };

/** Custos on a fresh database, listening on a free port of the loopback interface. */
export async function startCustos(options: TestAppOptions = {}): Promise<RunningCustos> {
  if (!existsSync(fileURLToPath(new URL('../../dist/web/console/index.html', import.meta.url)))) {
    throw new Error('The web app is not built: run `npm run test:browser` (it builds it first).');
  }
  const t = await createTestApp(options);
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...t, baseUrl: address };
}

/** What a browser test suite runs against: Custos and Chromium, both up while its tests run. */
export type BrowserSuite = { custos: RunningCustos; browser: Browser };

/**
 * Starts Custos (on a fresh database) and Chromium before the tests of the enclosing `describe` and stops
 * both after them. The returned suite is filled in once they are up, so read it inside the tests.
 */
export function custosInChromium(options: TestAppOptions = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    suite.custos = await startCustos(options);
    suite.browser = await launchChromium();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.custos?.close();
  });
  return suite;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install chromium).`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A browser context (its own cookies) at a viewport. Content-Security-Policy stays on, and any violation
 * or uncaught page error fails the test: the app must run under the policy the server sends.
 */
export async function openContext(
  browser: Browser,
  baseUrl: string,
  viewport: { width: number; height: number } = viewports.desktop,
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport,
    locale: 'en-GB',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

/** Signs in on the console's or the privacy center's sign-in page; the caller waits for where it lands. */
export async function signIn(
  page: Page,
  area: 'console' | 'privacy',
  credentials: { email: string; password: string },
): Promise<void> {
  await page.goto(`/${area}/login`);
  await page.getByLabel('E-mail address').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const require = createRequire(import.meta.url);
const axeSource: string = (require('axe-core') as { source: string }).source;

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the page's CSP stays intact)
 * against WCAG 2.1 A and AA, and returns the serious and critical violations as readable lines.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  // Runs in the page; the test's TypeScript knows no DOM, so the page's globals are reached untyped.
  const violations = await page.evaluate(async () => {
    const scope = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    const result = await scope.axe.run(scope.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}

/** Fails the test, naming the page, when axe-core finds serious or critical WCAG 2.1 AA violations. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  expect(await seriousA11yViolations(page), where).toEqual([]);
}

/** A screenshot for the README, in docs/screenshots/: the whole page, or what the window shows. */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  await mkdir(screenshotsDir, { recursive: true });
  await page.screenshot({
    path: `${screenshotsDir}${name}.png`,
    fullPage: options.fullPage ?? true,
    animations: 'disabled',
  });
}
