// The plugin's entry point: Grafana loads dist/module.js (AMD) and reads `plugin`.

import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import type { LogQLOptions, LogQLQuery, LogQLSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<DataSource, LogQLQuery, LogQLOptions, LogQLSecureJsonData>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
