import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf, grantorOf } from '../../http/principal.js';
import { presentOperator, ZDisplayName, ZEmail, ZIdParams, ZOperator, ZRole } from './access-schemas.js';
import type { OperatorService } from './operator-service.js';
import { permissions, rolePermissions, roles } from './permissions.js';

const tags = ['operators'];

/** Operator administration and the permission matrix. */
export function operatorRoutes({ operators }: { operators: OperatorService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/operators',
      {
        config: { access: 'operators.read' },
        schema: {
          tags,
          summary: 'List operators',
          response: { 200: z.object({ items: z.array(ZOperator) }) },
        },
      },
      async () => ({ items: (await operators.list()).map(presentOperator) }),
    );

    app.get(
      '/v1/operators/:id',
      {
        config: { access: 'operators.read' },
        schema: { tags, summary: 'One operator', params: ZIdParams, response: { 200: ZOperator } },
      },
      async (request) => presentOperator(await operators.get(request.params.id)),
    );

    app.post(
      '/v1/operators',
      {
        config: { access: 'operators.manage' },
        schema: {
          tags,
          summary: 'Invite an operator',
          description:
            'Returns the invitation link once; send it to the person over a trusted channel. You can only give roles whose permissions you hold yourself; giving `admin` needs a session in which you passed MFA (see docs/PERMISSIONS.md, Granting roles).',
          body: z.object({ email: ZEmail, displayName: ZDisplayName, roles: z.array(ZRole).min(1).max(6) }),
          response: {
            201: z.object({
              operator: ZOperator,
              invitationUrl: z.string(),
              invitationToken: z.string(),
              expiresAt: z.iso.datetime(),
            }),
          },
        },
      },
      async (request, reply) => {
        const invited = await operators.invite(
          auditContextOf(request),
          grantorOf(request.principal),
          request.body,
        );
        return reply.status(201).send({
          operator: presentOperator(invited.operator),
          invitationUrl: invited.invitationUrl,
          invitationToken: invited.invitationToken,
          expiresAt: invited.expiresAt.toISOString(),
        });
      },
    );

    app.patch(
      '/v1/operators/:id',
      {
        config: { access: 'operators.manage' },
        schema: {
          tags,
          summary: 'Change an operator’s name, roles or status',
          description:
            'Changing roles or status ends the operator’s sessions. Nobody changes their own roles; you can only give roles whose permissions you hold, change the roles of or re-enable operators whose permissions you hold, and give `admin` in a session in which you passed MFA (see docs/PERMISSIONS.md, Granting roles).',
          params: ZIdParams,
          body: z
            .object({
              displayName: ZDisplayName.optional(),
              roles: z.array(ZRole).min(1).max(6).optional(),
              status: z.enum(['active', 'disabled']).optional(),
            })
            .refine((body) => Object.keys(body).length > 0, 'send at least one field'),
          response: { 200: ZOperator },
        },
      },
      async (request) =>
        presentOperator(
          await operators.update(
            auditContextOf(request),
            grantorOf(request.principal),
            request.params.id,
            request.body,
          ),
        ),
    );

    app.post(
      '/v1/operators/:id/reset-mfa',
      {
        config: { access: 'operators.manage' },
        schema: {
          tags,
          summary: 'Remove an operator’s MFA (lost device)',
          params: ZIdParams,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await operators.resetMfa(auditContextOf(request), grantorOf(request.principal), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/operators/:id/revoke-sessions',
      {
        config: { access: 'operators.manage' },
        schema: {
          tags,
          summary: 'End every session of an operator',
          params: ZIdParams,
          response: { 200: z.object({ revoked: z.number().int() }) },
        },
      },
      async (request) => ({
        revoked: await operators.revokeSessions(auditContextOf(request), request.params.id),
      }),
    );

    app.get(
      '/v1/permissions',
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: 'The permission matrix: roles and what each may do',
          response: {
            200: z.object({
              permissions: z.record(z.string(), z.string()),
              roles: z.record(
                z.string(),
                z.object({ description: z.string(), permissions: z.array(z.string()) }),
              ),
            }),
          },
        },
      },
      async () => ({
        permissions,
        roles: Object.fromEntries(
          Object.entries(roles).map(([role, description]) => [
            role,
            { description, permissions: [...rolePermissions[role as keyof typeof roles]] },
          ]),
        ),
      }),
    );
  };
}
