import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Permission } from '../modules/access/permissions.js';

/**
 * What a route requires of its caller, declared by every route in `config.access`:
 * - `public`: anyone, no credentials;
 * - `session`: any operator session, even one that still has to complete MFA (MFA enrolment, logout);
 * - `operator`: a fully signed-in operator (MFA complete), never an API key: what an operator does to their
 *   own account (password, recovery codes, turning MFA off);
 * - `authenticated`: a fully signed-in operator or a valid API key, no particular permission;
 * - `subject`: a data subject signed in to the privacy center (their own session cookie, never an
 *   operator session or an API key);
 * - a permission from the matrix.
 * A route without a declaration stops the server from starting, so nothing is exposed by omission.
 */
export type RouteAccess = 'public' | 'session' | 'operator' | 'authenticated' | 'subject' | Permission;

/** Who may call a route of each access, in one line (for /openapi.json and the permission docs). */
export function accessSummary(
  access: RouteAccess,
  rolesHolding: (permission: Permission) => string[],
): string {
  switch (access) {
    case 'public':
      return 'Access: `public`, no credentials needed.';
    case 'session':
      return 'Access: `session`, any signed-in operator, also before MFA is complete; not API keys.';
    case 'operator':
      return 'Access: `operator`, a fully signed-in operator (MFA complete); not API keys.';
    case 'authenticated':
      return 'Access: `authenticated`, a fully signed-in operator or an API key.';
    case 'subject':
      return 'Access: `subject`, a data subject signed in to the privacy center; not operators or API keys.';
    default:
      return `Permission: \`${access}\` (roles: ${rolesHolding(access).join(', ')}).`;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyInstance {
    /** Every registered route with its declared access (for the permission tests and docs). */
    routeAccessTable: RouteAccessEntry[];
  }
}

export type RouteAccessEntry = { method: string; url: string; access: RouteAccess };

/** Routes that plugins register for us (OpenAPI UI assets), public by nature. */
const pluginRoutePrefixes = ['/docs'];

export function routeAccessOf(route: Pick<RouteOptions, 'config'>): RouteAccess | undefined {
  return (route.config as { access?: RouteAccess } | undefined)?.access;
}

export function requireAccessDeclarations(app: FastifyInstance): void {
  const table: RouteAccessEntry[] = [];
  app.decorate('routeAccessTable', table);
  app.addHook('onRoute', (route: RouteOptions) => {
    let access = routeAccessOf(route);
    if (
      !access &&
      pluginRoutePrefixes.some((prefix) => route.url === prefix || route.url.startsWith(`${prefix}/`))
    ) {
      access = 'public';
      route.config = { ...(route.config as object), access };
    }
    if (!access)
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access (config.access)`);
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access });
  });
}
