import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './page';

test('a term in lesson prose opens its definition by mouse and by keyboard', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (request) => scripts.push(request.url()));
  await page.goto('/#/lesson/client-firewall/1');
  const stateful = page.locator('.prose').getByRole('button', { name: 'stateful', exact: true });
  await expect(stateful).toHaveAttribute('aria-expanded', 'false');

  await stateful.click();
  const definition = page.getByRole('dialog', { name: 'Stateful firewall' });
  await expect(definition).toBeVisible();
  await expect(definition).toContainText('connection tracking');
  await expect(stateful).toHaveAttribute('aria-expanded', 'true');
  await page.screenshot({ path: 'test-results/glossary-popover.png' });
  const { violations } = await new AxeBuilder({ page }).include('.glossary-popover').analyze();
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await page.keyboard.press('Escape');
  await expect(definition).toBeHidden();
  await expect(stateful).toHaveAttribute('aria-expanded', 'false');
  await expect(stateful).toBeFocused();

  // In the rules table: reached with the keyboard, opened with Enter, and "see also" follows on.
  const related = page
    .locator('.prose table')
    .getByRole('button', { name: 'RELATED', exact: true });
  await related.focus();
  await page.keyboard.press('Enter');
  const relatedDefinition = page.getByRole('dialog', { name: 'RELATED (netfilter)' });
  await expect(relatedDefinition).toBeFocused();
  await relatedDefinition.getByRole('button', { name: 'Expectation' }).click();
  await expect(page.getByRole('dialog', { name: 'Expectation' })).toContainText('PORT, EPRT');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(related).toBeFocused();

  // A click elsewhere closes it too.
  await related.click();
  await expect(relatedDefinition).toBeVisible();
  await page.getByRole('heading', { level: 1 }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // The prose was rendered at build time: the browser never fetched markdown-it.
  expect(scripts.filter((url) => /\/markdown-[^/]*\.js$/.test(url))).toEqual([]);
});

test('the course ends with a one-page summary that prints on one sheet', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/#/lessons');
  await page.getByRole('link', { name: 'the whole course on one page' }).click();
  const summary = page.getByRole('article', { name: 'FTP through firewalls, on one page' });
  await expect(summary).toBeVisible();
  // The numbers come from the simulation: lesson 9's 60 s and 134 s.
  const table = summary.getByRole('table');
  await expect(table.getByRole('row', { name: /^Who notices/ })).toContainText('after 60 s');
  await expect(table.getByRole('row', { name: /^Who notices/ })).toContainText('134 s');
  // One screen: the last paragraph is above the fold.
  const bottom = await summary
    .getByText('Timings are from')
    .evaluate((p) => p.getBoundingClientRect().bottom);
  expect(bottom).toBeLessThanOrEqual(768);
  await page.screenshot({ path: 'test-results/glossary-summary.png' });
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();
  await page.screenshot({ path: 'test-results/glossary-summary-print.png', fullPage: true });
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
  expect(pages).toHaveLength(1);
});

test('the state tables say which state is netfilter’s and which is TCP’s, and hide machine names until asked', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('combobox', { name: 'Client firewall' }).selectOption('stateful-helper');
  await page.getByRole('button', { name: 'Go to end' }).click();
  const tab = page.getByRole('tab', { name: 'State machines and tables' });
  if ((await tab.count()) > 0) await tab.click();
  const tables = page.getByRole('region', { name: 'State machines and tables at this moment' });

  const machines = tables.getByRole('table').first();
  await expect(machines).toContainText('has finished');
  await expect(machines.locator('code.state')).toHaveCount(0);
  await tables.getByRole('checkbox', { name: 'Show machine names' }).check();
  await expect(machines.locator('code.state').first()).toBeVisible();
  await expect(machines).toContainText('done');

  const header = tables.getByRole('columnheader', { name: "netfilter's state" }).first();
  await header.getByRole('button').click();
  await expect(page.getByRole('dialog', { name: 'NEW (netfilter)' })).toContainText('not TCP');
  await page.screenshot({ path: 'test-results/glossary-state-tables.png' });
  const { violations } = await new AxeBuilder({ page }).include('.state-tables').analyze();
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(tables.getByRole('columnheader', { name: "TCP's state" }).first()).toBeVisible();
});
