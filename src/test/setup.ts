// Shared test setup for jsdom component tests: jest-dom matchers and the browser APIs Grafana's UI expects.
import '@testing-library/jest-dom/vitest';

if (typeof window !== 'undefined') {
  window.matchMedia =
    window.matchMedia ??
    ((query: string) =>
      ({
        matches: false,
        media: query,
        onchange: null,
        addListener: () => undefined,
        removeListener: () => undefined,
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
        dispatchEvent: () => false,
      }) as unknown as MediaQueryList);
  (window as any).ResizeObserver =
    (window as any).ResizeObserver ??
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
}

// Testing Library cleans up after each test only with test globals; register it explicitly.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
afterEach(() => cleanup());
