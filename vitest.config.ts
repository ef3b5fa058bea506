import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'src/**/*.test.ts', 'src/**/*.test.tsx', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Frontend (src/): Grafana's packages ship ESM that imports CommonJS (moment-timezone, …) by named exports;
    // let Vite transform them instead of Node loading them.
    server: {
      deps: {
        inline: [/@grafana\/(data|ui|runtime|schema|e2e-selectors|i18n|plugin-ui)/, /@react-awesome-query-builder/],
      },
    },
  },
});
