import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one process. Each process (serve or worker) has its own registry. */
export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'custos_' });

  const httpRequestDuration = new Histogram({
    name: 'custos_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const dbQueryDuration = new Histogram({
    name: 'custos_db_query_duration_seconds',
    help: 'Database query duration by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });

  const jobQueueDepth = new Gauge({
    name: 'custos_job_queue_depth',
    help: 'Jobs waiting in each queue (sampled at scrape time).',
    labelNames: ['queue'] as const,
    registers: [registry],
  });

  const jobsCompleted = new Counter({
    name: 'custos_jobs_completed_total',
    help: 'Jobs this process finished, by queue and outcome.',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  });

  return { registry, httpRequestDuration, dbQueryDuration, jobQueueDepth, jobsCompleted };
}
