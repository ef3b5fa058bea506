import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'src/**/*.test.ts', 'src/**/*.test.tsx', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Node 25+ defines its own localStorage global (unusable without --localstorage-file), which shadows jsdom's in the
    // frontend tests; the flag that turns it off exists since Node 22
    poolOptions: {
      forks: {
        execArgv: Number(process.versions.node.split('.')[0]) >= 22 ? ['--no-experimental-webstorage'] : [],
      },
    },
    // Frontend (src/): Grafana's packages ship ESM that imports CommonJS (moment-timezone, …) by named exports;
    // let Vite transform them instead of Node loading them.
    server: {
      deps: {
        inline: [/@grafana\/(data|ui|runtime|schema|e2e-selectors|i18n|plugin-ui)/, /@react-awesome-query-builder/],
      },
    },
  },
});
