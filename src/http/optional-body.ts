import type { FastifyInstance } from 'fastify';
import {
  type jsonSchemaTransform,
  type jsonSchemaTransformObject,
  validatorCompiler,
} from 'fastify-type-provider-zod';

/**
 * A request without a body, or with an empty one labelled JSON, is a request without a body: routes whose
 * body is optional (`POST …/erasure`, `…/withdrawal`) take it, and routes that need one answer their usual
 * validation problem naming the body, never `empty_body`. JSON otherwise goes through Fastify's own parser
 * (prototype-poisoning checks included). Sets the app's (Zod) validator compiler.
 */
export function acceptAbsentBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
  app.setValidatorCompiler((route) => {
    const validate = validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);
    // Fastify hands a missing body to the validator as null; Zod's optional() means undefined.
    return route.httpPart === 'body' ? (data: unknown) => validate(data ?? undefined) : validate;
  });
}

const optionalBodyMark = 'x-custos-optional-body';
type Transform = typeof jsonSchemaTransform;
type TransformObject = typeof jsonSchemaTransformObject;

/** Whether a route's body schema takes a request without a body. */
function bodyIsOptional(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    'safeParse' in body &&
    typeof body.safeParse === 'function' &&
    (body.safeParse(undefined) as { success: boolean }).success
  );
}

/**
 * The OpenAPI side of the same rule: @fastify/swagger marks every request body required, so routes whose
 * body is optional are marked here (per route) and their `requestBody.required` set to false (per document).
 */
export function optionalBodiesInOpenApi(transform: Transform, transformObject: TransformObject) {
  return {
    transform: ((input) => {
      const result = transform(input);
      if (!bodyIsOptional(input.schema?.body)) return result;
      return { ...result, schema: { ...result.schema, [optionalBodyMark]: true } };
    }) as Transform,
    transformObject: ((input) => {
      const document = transformObject(input) as {
        paths?: Record<string, Record<string, Record<string, unknown>>>;
      };
      for (const operations of Object.values(document.paths ?? {})) {
        for (const operation of Object.values(operations)) {
          if (!operation[optionalBodyMark]) continue;
          delete operation[optionalBodyMark];
          const body = operation.requestBody as { required?: boolean } | undefined;
          if (body) body.required = false;
        }
      }
      return document;
    }) as TransformObject,
  };
}
