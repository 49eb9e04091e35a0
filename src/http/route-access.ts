import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * What a route requires of its caller. Every route declares one in `config.access`; a route without a
 * declaration stops the server from starting, so nothing is exposed by omission.
 */
export type RouteAccess = 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** Routes that plugins register for us (OpenAPI UI assets), public by nature. */
const pluginRoutePrefixes = ['/docs'];

export function requireAccessDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const declared = (route.config as { access?: RouteAccess } | undefined)?.access;
    if (declared) return;
    if (pluginRoutePrefixes.some((prefix) => route.url === prefix || route.url.startsWith(`${prefix}/`))) {
      route.config = { ...(route.config as object), access: 'public' };
      return;
    }
    throw new Error(`Route ${String(route.method)} ${route.url} declares no access (config.access)`);
  });
}
