import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { databaseUnavailable, isConnectionError } from '../db/connection-errors.js';
import { AppError, type ErrorCode, type FieldError, isAppError } from '../lib/app-error.js';

/** RFC 9457 problem document as Custos sends it. */
export const ZProblem = z
  .object({
    type: z.string().describe('Stable URI identifying the problem type: urn:custos:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().describe('The request path (without query string)'),
    code: z.string().describe('Stable machine-readable code'),
    requestId: z.string(),
    errors: z
      .array(
        z.object({
          in: z.enum(['body', 'params', 'querystring', 'headers']),
          path: z.string(),
          message: z.string(),
        }),
      )
      .optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof ZProblem>;

export const problemTypePrefix = 'urn:custos:problem:';

const titles: Record<ErrorCode, string> = {
  malformed_json: 'Malformed JSON',
  validation_failed: 'Validation failed',
  invalid_path_parameter: 'Invalid path parameter',
  invalid_query_parameter: 'Invalid query parameter',
  invalid_header: 'Invalid header',
  empty_body: 'Empty body',
  bad_request: 'Bad request',
  unsupported_media_type: 'Unsupported media type',
  body_too_large: 'Body too large',
  uri_too_long: 'URI too long',
  headers_too_large: 'Request headers too large',
  request_timeout: 'Request timeout',
  route_not_found: 'Route not found',
  method_not_allowed: 'Method not allowed',
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  csrf_invalid: 'CSRF token missing or invalid',
  mfa_required: 'Multi-factor authentication required',
  rate_limited: 'Too many requests',
  grant_exceeds_own_permissions: 'Grant exceeds your own permissions',
  operator_exceeds_own_permissions: 'Operator holds permissions you lack',
  own_roles_immutable: 'Own roles cannot be changed',
  admin_grant_needs_mfa: 'Granting admin needs multi-factor authentication',
  not_found: 'Not found',
  conflict: 'Conflict',
  gone: 'Gone',
  subject_erased: 'Subject erased',
  subject_restricted: 'Processing restricted',
  residency_refused: 'Refused by a data residency policy',
  legal_hold: 'Subject under legal hold',
  precondition_failed: 'Precondition failed',
  unprocessable: 'Unprocessable request',
  invalid_transition: 'Invalid state transition',
  verification_failed: 'Verification failed',
  verification_expired: 'Verification code expired',
  invalid_consent_method: 'Method cannot carry this consent',
  objection_not_applicable: 'Objection does not apply',
  invalid_tc_string: 'Invalid TC string',
  service_unavailable: 'Service unavailable',
  pdf_unavailable: 'PDF export unavailable',
  database_unavailable: 'Database unavailable',
  internal_error: 'Internal error',
};

const validationCodes: Record<FieldError['in'], ErrorCode> = {
  body: 'validation_failed',
  params: 'invalid_path_parameter',
  querystring: 'invalid_query_parameter',
  headers: 'invalid_header',
};

const fastifyCodes: Record<string, { code: ErrorCode; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json', detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'empty_body',
    detail: 'The request says its body is JSON but the body is empty.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    detail: 'This content type is not accepted here; send application/json.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'body_too_large',
    detail: 'The request body is larger than this server accepts.',
  },
  FST_ERR_BAD_URL: {
    code: 'bad_request',
    detail: 'The URL is not valid: a percent-encoded part does not decode to UTF-8.',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'uri_too_long',
    detail: 'A path segment is longer than this server accepts.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'bad_request',
    detail: 'The Content-Length header does not match the body.',
  },
};

/** Converts anything thrown during a request into an AppError a client may see. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isConnectionError(error)) return databaseUnavailable(error);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const location = ((error as FastifyError).validationContext ?? 'body') as FieldError['in'];
    const errors: FieldError[] = error.validation.map((issue) => ({
      in: location,
      path: issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)',
      message: issue.message ?? 'is invalid',
    }));
    const noun = errors.length === 1 ? 'field is' : 'fields are';
    return new AppError(
      validationCodes[location],
      `${errors.length} ${noun} invalid in the request ${location}.`,
      {
        errors,
      },
    );
  }
  const fastifyError = error as Partial<FastifyError> | undefined;
  const known = fastifyError?.code ? fastifyCodes[fastifyError.code] : undefined;
  if (known) return new AppError(known.code, known.detail);
  if (fastifyError?.statusCode === 429) {
    return new AppError('rate_limited', 'Too many requests; slow down and retry later.');
  }
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new AppError('bad_request', 'The request could not be understood.');
  }
  return new AppError('internal_error', 'Something went wrong on our side. The error has been logged.', {
    cause: error,
  });
}

export function problemFor(error: AppError, request: FastifyRequest): Problem {
  return {
    ...error.extensions,
    type: `${problemTypePrefix}${error.code}`,
    title: titles[error.code],
    status: error.status,
    detail: error.message,
    instance: request.url.split('?')[0] ?? '/',
    code: error.code,
    requestId: request.id,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply
    .status(error.status)
    .type('application/problem+json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(problemFor(error, reply.request));
}

/** Installs the one error handler and the not-found handler. */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.code === 'database_unavailable') {
      request.log.warn({ err: appError.cause ?? error }, 'request failed: database unavailable');
    } else if (appError.status >= 500) {
      request.log.error({ err: appError.cause ?? error }, 'request failed');
    } else if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its schema');
    }
    return sendProblem(reply, appError);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new AppError('route_not_found', `No route matches ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );
}
