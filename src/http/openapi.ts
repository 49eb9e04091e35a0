import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { type Permission, rolePermissions, roles } from '../modules/access/permissions.js';
import { optionalBodiesInOpenApi } from './optional-body.js';
import { accessSummary, routeAccessOf } from './route-access.js';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

function rolesHolding(permission: Permission): string[] {
  return (Object.keys(roles) as (keyof typeof roles)[]).filter((role) =>
    rolePermissions[role].includes(permission),
  );
}

/**
 * Every operation says who may call it: the `x-custos-permission` extension holds the route's declared
 * access (a permission, or public/session/operator/authenticated/subject), and its description ends with
 * a line saying the same in words.
 */
function withAccess(input: TransformInput) {
  const transformed = jsonSchemaTransform(input);
  const access = routeAccessOf(input.route);
  if (!access) return transformed;
  const schema = transformed.schema as Record<string, unknown>;
  const line = accessSummary(access, rolesHolding);
  const description = typeof schema.description === 'string' ? `${schema.description}\n\n${line}` : line;
  return { ...transformed, schema: { ...schema, description, 'x-custos-permission': access } };
}

/** Registers the OpenAPI 3.1 document (built from the routes' Zod schemas) and the docs UI at /docs. */
export async function registerOpenApi(app: FastifyInstance, options: { version: string; publicUrl: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Custos API',
        version: options.version,
        description:
          'Privacy and data-protection engine. Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`. Every string in a path, a query or a JSON body (object keys included) must be storable text: a NUL character, an unpaired UTF-16 surrogate or percent-encoding that is not UTF-8 answers 400 (`invalid_path_parameter`, `invalid_query_parameter` or `validation_failed`) naming each field. A streamed response (NDJSON, CSV, streamed JSON) that fails after its first byte ends with an error line instead of stopping short: NDJSON and JSON with `{"error":<problem>}`, CSV with a row `#error,<code>,<requestId>,"<detail>"`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key (`cst_…`)' },
          session: { type: 'apiKey', in: 'cookie', name: 'custos_session' },
        },
      },
    },
    // Routes whose body is optional say so (requestBody.required false), as they take requests without one.
    ...optionalBodiesInOpenApi(withAccess as typeof jsonSchemaTransform, jsonSchemaTransformObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true } });
}
