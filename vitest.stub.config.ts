import { defineConfig } from 'vitest/config';
export default defineConfig({
  resolve: { alias: [{ find: /^\.\.\/template$/, replacement: '/tmp/stub/template.ts' }] },
  test: { include: ['tests/**/*.test.ts'], testTimeout: 60000, hookTimeout: 120000, root: '/work/main' },
});
