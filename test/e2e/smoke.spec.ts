import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './page';

test('home page runs a scenario and has no accessibility violations', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'FTP Lab' })).toBeVisible();
  const outcome = page.getByRole('region', { name: 'Outcome' });
  // Default: active mode behind a stateful client firewall fails at the first transfer.
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  await expect(outcome).toContainText("dropped by the client firewall's rule 3");
  await page.getByText('Transcript', { exact: true }).click();
  await expect(page.getByLabel('Transcript of every packet and line')).toContainText(
    'PORT 192,0,2,10',
  );
  await page.screenshot({ path: 'test-results/screenshots/home-active-fails.png', fullPage: true });

  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
});

test('switching to passive mode makes the same network work', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('radio', { name: 'Passive (PASV)' }).check();
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome.getByRole('heading')).toContainText('Works');
  await page.getByText('Transcript', { exact: true }).click();
  await expect(page.getByLabel('Transcript of every packet and line')).toContainText(
    '227 Entering Passive Mode',
  );
  await page.screenshot({
    path: 'test-results/screenshots/home-passive-works.png',
    fullPage: true,
  });
});
