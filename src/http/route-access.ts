import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Permission } from '../modules/access/permissions.js';

/**
 * What a route requires of its caller, declared by every route in `config.access`:
 * - `public`: anyone, no credentials;
 * - `session`: any operator session, even one that still has to complete MFA (MFA enrolment, logout);
 * - `authenticated`: a fully signed-in operator or a valid API key, no particular permission;
 * - a permission from the matrix.
 * A route without a declaration stops the server from starting, so nothing is exposed by omission.
 */
export type RouteAccess = 'public' | 'session' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** Routes that plugins register for us (OpenAPI UI assets), public by nature. */
const pluginRoutePrefixes = ['/docs'];

export function routeAccessOf(route: Pick<RouteOptions, 'config'>): RouteAccess | undefined {
  return (route.config as { access?: RouteAccess } | undefined)?.access;
}

export function requireAccessDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (routeAccessOf(route)) return;
    if (pluginRoutePrefixes.some((prefix) => route.url === prefix || route.url.startsWith(`${prefix}/`))) {
      route.config = { ...(route.config as object), access: 'public' };
      return;
    }
    throw new Error(`Route ${String(route.method)} ${route.url} declares no access (config.access)`);
  });
}
