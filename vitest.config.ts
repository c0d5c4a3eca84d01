import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites each start their own IdP on ephemeral loopback ports; two workers
    // match the two cores CI has.
    maxWorkers: 2,
  },
});
