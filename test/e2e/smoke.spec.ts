import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

test('home page shows its title and has no accessibility violations', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'FTP Lab' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/home.png', fullPage: true });

  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
});
