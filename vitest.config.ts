import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real tokens, real servers and real WASM: generous, never used to measure speed.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
