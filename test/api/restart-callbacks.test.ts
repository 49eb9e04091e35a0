import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { systemTaskResendJobName } from '../../src/modules/requests/request-jobs.js';
import { startServer } from '../../src/server.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import {
  answerTaskDone,
  caller,
  createCollections,
  erasureAwaitingSystem,
  eventually,
  startReceiver,
} from '../helpers/fulfilment.js';
import { captureLog } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { openTestDatabase } from '../helpers/test-database.js';

faker.seed(1407);

describe('custos serve after a restart', () => {
  it('listens before it works jobs, so a system calling back at once finds it answering', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-restart-'));
    const log = captureLog();
    const config = loadConfig({
      CUSTOS_DATA_DIR: dataDir,
      CUSTOS_PORT: '0',
      CUSTOS_LOG_LEVEL: 'info',
      CUSTOS_JOBS: 'true',
    });
    const server = await startServer(config, createLogger('info', log.stream), {
      database: await openTestDatabase(),
    });
    try {
      const messages = log.lines.map((line) => JSON.parse(line).msg as string);
      const listening = messages.findIndex((msg) => msg.startsWith('Server listening at'));
      const working = messages.indexOf('job queue working');
      expect(listening).toBeGreaterThanOrEqual(0);
      expect(working).toBeGreaterThan(listening);
      expect(
        log.lines.some(
          (line) => line.includes('"msg":"job queue started"') && line.includes('"working":true'),
        ),
      ).toBe(false);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

type Message = { data: { callbackUrl: string; taskId: string } };

describe('a downstream task whose callback could not reach Custos', { timeout: 120_000 }, () => {
  let t: TestApp;
  let _service: AuthHeaders;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let as: ReturnType<typeof caller>;
  const resender = {
    actor: { type: 'system' as const, id: systemTaskResendJobName },
    requestId: null,
    ip: null,
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({
      env: {
        CUSTOS_WEBHOOK_ALLOW_HTTP: 'true',
        CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CUSTOS_JOB_CONCURRENCY: '4',
        // Silence this short counts: the webhook arrived, the callback never did.
        CUSTOS_SYSTEM_TASK_RESEND_AFTER: '1ms',
      },
    });
    await t.runtime.jobs.start({ work: true });
    as = caller(t);
    _service = await actAs(t, 'service');
    await createCollections(t, ['customers']);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('is sent again with a new link by the re-send job, and the answer to it completes the erasure', async () => {
    const { path, requestId } = await erasureAwaitingSystem(t, receiver);

    // The system got the task; its callback was refused (Custos was restarting), so it never arrived.
    const [first] = await eventually(() => (receiver.at(path).length > 0 ? receiver.at(path) : undefined));
    const firstMessage = JSON.parse(first?.body ?? '{}') as Message;
    const tasks = async () =>
      (await as('privacy_agent', 'GET', `/v1/requests/${requestId}/tasks`)).json().items as {
        deliveryId: string;
        status: string;
        attempts: number;
      }[];
    await eventually(async () => {
      const [task] = await tasks();
      const delivery = await as('dpo', 'GET', `/v1/webhooks/deliveries/${task?.deliveryId}`);
      return delivery.json().status === 'delivered' ? true : undefined;
    });

    expect(await t.runtime.services.systemTasks.resendSilent(resender)).toEqual({ resent: 1 });
    expect(await tasks()).toMatchObject([{ status: 'retried', attempts: 2 }]);
    const [, second] = await eventually(() => (receiver.at(path).length > 1 ? receiver.at(path) : undefined));
    const secondMessage = JSON.parse(second?.body ?? '{}') as Message;
    expect(secondMessage.data.taskId).toBe(firstMessage.data.taskId);
    expect(secondMessage.data.callbackUrl).not.toBe(firstMessage.data.callbackUrl);

    await answerTaskDone(t, secondMessage.data.callbackUrl, requestId);
    // Answered tasks and completed requests are left alone.
    expect(await t.runtime.services.systemTasks.resendSilent(resender)).toEqual({ resent: 0 });
    const timeline = (await as('privacy_agent', 'GET', `/v1/requests/${requestId}`)).json().timeline as {
      kind: string;
      actor: { type: string; id?: string };
    }[];
    expect(timeline.find((entry) => entry.kind === 'system_retried')?.actor).toMatchObject({
      type: 'system',
    });
  });
});
