// @vitest-environment jsdom
// The built dist/module.js is an AMD module Grafana's loader can run: build into a temp dir, evaluate it with a
// define() that supplies Grafana's shared modules, and check the plugin it exports.
import './test/setup';
import * as emotion from '@emotion/css';
import * as data from '@grafana/data';
import * as runtime from '@grafana/runtime';
import * as ui from '@grafana/ui';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as react from 'react';
import * as rxjs from 'rxjs';
import { describe, expect, it } from 'vitest';

import { plugin } from './module';

const root = resolve(__dirname, '..');

describe('module', () => {
  it('exports a data source plugin with its editors', () => {
    expect(plugin).toBeInstanceOf(data.DataSourcePlugin);
    expect(plugin.components.QueryEditor).toBeDefined();
    expect(plugin.components.ConfigEditor).toBeDefined();
  });

  it('builds to an AMD module.js exporting the plugin', () => {
    const out = mkdtempSync(join(tmpdir(), 'logqlsql-fe-'));
    execFileSync(process.execPath, [join(root, 'scripts/build-frontend.mjs'), '--outdir', out], { stdio: 'pipe' });
    expect(existsSync(join(out, 'img/logo.svg'))).toBe(true);
    const code = readFileSync(join(out, 'module.js'), 'utf8');
    expect(code.startsWith('define([')).toBe(true);
    const shared: Record<string, unknown> = {
      '@grafana/data': data,
      '@grafana/ui': ui,
      '@grafana/runtime': runtime,
      '@emotion/css': emotion,
      react,
      rxjs,
    };
    let exported: any;
    const define = (deps: string[], factory: (...a: unknown[]) => unknown) => {
      exported = factory(...deps.map((d) => shared[d]));
    };
    new Function('define', code)(define);
    expect(exported.plugin).toBeDefined();
    expect(exported.plugin.components.QueryEditor).toBeTypeOf('function');
  }, 60_000);
});
