import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export type ConsoleSettings = {
  /** The organization's name, for page titles. */
  brandName: string;
  /** Purposes an operator may state to read personal data (CUSTOS_READ_PURPOSES). */
  readPurposes: readonly string[];
  /** "Due soon" horizon of the queue and dashboard (CUSTOS_REQUEST_REMINDER_DAYS). */
  dueSoonDays: number;
};

/** The few settings the console needs to offer the right choices (no secrets). */
export function consoleRoutes(settings: ConsoleSettings): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/console/settings',
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['console'],
          summary: 'Settings the console offers choices from: read purposes, the due-soon horizon',
          response: {
            200: z.object({
              brandName: z.string(),
              readPurposes: z.array(z.string()),
              dueSoonDays: z.number().int(),
            }),
          },
        },
      },
      async () => ({ ...settings, readPurposes: [...settings.readPurposes] }),
    );
  };
}
