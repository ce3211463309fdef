import { defineConfig } from 'vitest/config';

// Workspace packages are imported from their TypeScript sources (the `source` export condition), so unit
// tests need no build. Tests that spawn the `trialgate` command or worker threads use the built `dist/`:
// `npm test` builds first.
const sourceFirst = { conditions: ['source'] };
const ignored = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  resolve: sourceFirst,
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['*/src/**/*.test.ts', 'test/**/*.test.ts', 'bench/lib/**/*.test.ts'],
          exclude: [...ignored, '**/*.int.test.ts', '**/*.reliability.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['**/*.int.test.ts'],
          exclude: ignored,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'reliability',
          include: ['**/*.reliability.test.ts'],
          exclude: ignored,
          testTimeout: 180_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
