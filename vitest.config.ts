import { defineConfig } from 'vitest/config';

// Two projects: plain unit tests run in parallel; tests that drive the real engine run one file
// at a time (2 cores, and about 30 bridge networks at once on the default address pools).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.engine.test.ts'],
        },
      },
      {
        test: {
          name: 'engine',
          include: ['src/**/*.engine.test.ts'],
          fileParallelism: false,
          globalSetup: ['src/test-support/engine-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
