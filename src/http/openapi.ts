import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { optionalBodiesInOpenApi } from './optional-body.js';

/** Registers the OpenAPI 3.1 document (built from the routes' Zod schemas) and the docs UI at /docs. */
export async function registerOpenApi(app: FastifyInstance, options: { version: string; publicUrl: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Custos API',
        version: options.version,
        description:
          'Privacy and data-protection engine. Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`.',
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
    ...optionalBodiesInOpenApi(jsonSchemaTransform, jsonSchemaTransformObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true } });
}
