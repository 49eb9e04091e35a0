import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditContextOf } from '../../http/principal.js';
import type { JobQueue } from '../../jobs/queue.js';
import {
  presentKekVersion,
  presentKeyRingStatus,
  ZKekVersion,
  ZKekVersionParams,
  ZKeyRingStatus,
  ZKeyRotation,
} from './keys-schemas.js';
import type { KeysService } from './keys-service.js';

const tags = ['keys'];

/** The key ring: status, master key rotation and retirement. */
export function keysRoutes({
  keys,
  jobs,
}: {
  keys: KeysService;
  jobs: Pick<JobQueue, 'send'>;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/keys/status',
      {
        config: { access: 'keys.read' },
        schema: {
          tags,
          summary: 'Master key versions, data keys per version and rewrap progress',
          response: { 200: ZKeyRingStatus },
        },
      },
      async () => presentKeyRingStatus(await keys.status()),
    );

    app.post(
      '/v1/keys/rotate',
      {
        config: { access: 'keys.rotate' },
        schema: {
          tags,
          summary: 'Add a master key version and rewrap every data key under it in the background',
          description:
            'The new version wraps new data keys at once; older data keys keep working until the `keys.rewrap` job has moved them. With keys from CUSTOS_MASTER_KEY, add the new version to the variable first (409 explains).',
          response: { 202: ZKeyRotation },
        },
      },
      async (request, reply) => reply.status(202).send(await keys.rotate(auditContextOf(request), jobs)),
    );

    app.post(
      '/v1/keys/:version/retire',
      {
        config: { access: 'keys.rotate' },
        schema: {
          tags,
          summary: 'Retire a master key version no data key uses any more',
          description:
            'Refused (409) for the current version and while any data key is still wrapped under it.',
          params: ZKekVersionParams,
          response: { 200: ZKekVersion },
        },
      },
      async (request) =>
        presentKekVersion(await keys.retire(auditContextOf(request), request.params.version)),
    );
  };
}
