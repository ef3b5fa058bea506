// @grafana/plugin-e2e spec against a real Grafana (docker compose up), not run in CI:
//   docker compose up -d && npx playwright test -c tests/e2e/playwright.config.ts
import { expect, test } from '@grafana/plugin-e2e';

test('provisioned data source passes Save & test', async ({ readProvisionedDataSource, gotoDataSourceConfigPage }) => {
  const ds = await readProvisionedDataSource({ fileName: 'logqlsql.yaml' });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  await expect(configPage.saveAndTest()).toBeOK();
});

test('config editor shows engine and table mapping', async ({ createDataSourceConfigPage, page }) => {
  await createDataSourceConfigPage({ type: 'logqlsql-datasource' });
  await expect(page.getByTestId('logqlsql-config-editor')).toBeVisible();
  await page.getByText('OTel', { exact: true }).click({ force: true });
  await expect(page.locator('#logqlsql-table')).toHaveValue('otel_logs');
});

test('query editor completes labels and shows the SQL', async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: 'logqlsql.yaml' });
  await panelEditPage.datasource.set(ds.name);
  const editor = page.getByTestId('logql-query-editor').locator('.monaco-editor').first();
  await editor.click();
  await page.keyboard.type('{');
  await expect(page.locator('.suggest-widget .monaco-list-row').first()).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('sum by (level) (count_over_time({app=~".+"} [$__auto]))');
  await page.getByText(/^SQL \(/).click();
  await expect(page.getByTestId('sql-preview-statements')).toContainText('SELECT');
  await panelEditPage.refreshPanel();
  await expect(panelEditPage.panel.data).toBeTruthy();
});

test('dashboard panels load', async ({ gotoDashboardPage, readProvisionedDashboard }) => {
  const dashboard = await readProvisionedDashboard({ fileName: 'json/logqlsql-demo.json' });
  const dashboardPage = await gotoDashboardPage(dashboard);
  await expect(dashboardPage.getPanelByTitle('Log volume by level').locator).toBeVisible();
  await expect(dashboardPage).toHavePanelErrors(0);
});
