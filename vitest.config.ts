import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources directly; builds resolve the packages' dist.
    alias: [
      { find: /^@kairos\/protocol$/, replacement: src('./packages/protocol/src/index.ts') },
      { find: /^@kairos\/sdk$/, replacement: src('./packages/sdk/src/index.ts') },
      { find: /^@kairos\/sdk\/testing$/, replacement: src('./packages/sdk/src/testing.ts') },
      { find: /^@kairos\/dify-sim$/, replacement: src('./packages/dify-sim/src/index.ts') },
      { find: /^@kairos\/time$/, replacement: src('./packages/time/src/index.ts') },
      { find: /^@kairos\/server$/, replacement: src('./apps/server/src/index.ts') },
    ],
  },
  test: {
    include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['apps/server/test/global-setup.ts'],
  },
});
