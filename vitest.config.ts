import { defineConfig } from 'vitest/config';

// Two tiers: fast unit tests next to the code, and API tests through app.inject() on a fresh database per
// file (PGlite by default; PostgreSQL when DATABASE_URL is set, each file in its own database).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'api',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
