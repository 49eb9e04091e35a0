import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../lib/app-error.js';
import { sendProblem } from './problem.js';

/** Where `npm run build` puts the console and privacy center: `<repository>/dist/web`, from src/ or dist/. */
export const defaultWebRoot = fileURLToPath(new URL('../../dist/web', import.meta.url));

/** The two single-page apps, each served with its own HTML shell at its own prefix. */
const shells = [
  { prefix: '/console', html: 'console/index.html' },
  { prefix: '/privacy', html: 'privacy/index.html' },
] as const;

export type WebAppOptions = {
  /** The built web app (`dist/web`): `console/index.html`, `privacy/index.html` and hashed `assets/`. */
  root: string;
  /** Extra origins images may come from (a remote logo). */
  imageOrigins?: readonly string[];
};

/**
 * The Content-Security-Policy of the web app's pages: everything from this origin only, no inline script
 * or style (React sets styles through the CSSOM, which CSP allows), images also as `data:` URLs (the MFA
 * QR code) and from the configured logo's origin.
 */
export function webContentSecurityPolicy(imageOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${["'self'", 'data:', ...imageOrigins].join(' ')}`,
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * Serves the console at `/console` and the privacy center at `/privacy` from the built files. Any path
 * under a prefix answers that app's HTML shell (the app routes in the browser); the shell is revalidated
 * on every load (`no-cache`) so a new release is picked up at once, while the content-hashed files under
 * `/assets/` are cached for a year as immutable. `/` leads to the console. API responses keep
 * `Cache-Control: no-store`.
 */
export async function registerWebApp(app: FastifyInstance, options: WebAppOptions): Promise<void> {
  const built = shells.every((shell) => existsSync(join(options.root, shell.html)));
  const csp = webContentSecurityPolicy(options.imageOrigins);
  const route = { config: { access: 'public' as const }, schema: { hide: true } };

  app.get('/', route, async (_request, reply) => reply.redirect('/console/', 302));

  if (!built) {
    const notBuilt = (_request: unknown, reply: FastifyReply) =>
      sendProblem(
        reply,
        new AppError('service_unavailable', 'The web app has not been built here; run `npm run build`.'),
      );
    for (const shell of shells) {
      app.get(shell.prefix, route, notBuilt);
      app.get(`${shell.prefix}/*`, route, notBuilt);
    }
    app.get('/assets/*', route, notBuilt);
    return;
  }

  await app.register(fastifyStatic, { root: options.root, serve: false });

  for (const shell of shells) {
    const sendShell = (_request: unknown, reply: FastifyReply) =>
      reply
        .header('content-security-policy', csp)
        .header('cache-control', 'no-cache')
        .sendFile(shell.html, options.root, { cacheControl: false });
    app.get(shell.prefix, route, sendShell);
    app.get(`${shell.prefix}/*`, route, sendShell);
  }

  app.get<{ Params: { '*': string } }>('/assets/*', route, (request, reply) =>
    reply.header('content-security-policy', csp).sendFile(request.params['*'], join(options.root, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      dotfiles: 'deny',
    }),
  );
}
