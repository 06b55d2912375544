import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Windows lane needs Wine: it is its own command (npm run test:windows, vitest.windows.config.ts).
    exclude: [...configDefaults.exclude, 'test/windows/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests use real files and real sockets; two workers match the 2-core machines.
    maxWorkers: 2,
  },
});
