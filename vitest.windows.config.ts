// The Windows lane (`npm run test:windows`): scenario tests in test/windows/ that run the built
// CLI under the real Windows build of Node.js in Wine. Its own config, so plain `npm test`
// never needs Wine. One file at a time: the scenarios share one Wine prefix, and the pid-reuse
// scenario restarts its wineserver, which ends every Windows process in it.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/windows/**/*.test.ts'],
    globalSetup: ['test/windows/support/global-setup.ts'],
    fileParallelism: false,
    // A Windows process under Wine takes about a second to start.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
