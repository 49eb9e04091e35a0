import type { JobQueue } from './queue.js';

/** What a service needs to enqueue work: the queue's `send`. */
export type JobSender = Pick<JobQueue, 'send'>;

/**
 * A `send` for services that enqueue jobs in their transactions. Services are created before the job
 * queue (the queue is built from the job definitions the services contribute), so the queue is bound
 * here once it exists; enqueuing before that is a wiring error and fails loudly.
 */
export function lateJobSender(): JobSender & { bind(queue: JobSender): void } {
  let bound: JobSender | undefined;
  return {
    bind(queue) {
      bound = queue;
    },
    send(name, data, options) {
      if (!bound) throw new Error(`the job queue is not bound yet: cannot enqueue ${name}`);
      return bound.send(name, data, options);
    },
  };
}
