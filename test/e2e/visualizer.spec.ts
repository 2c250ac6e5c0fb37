import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

test('step through the failing active session and see the drop in both views', async ({ page }) => {
  await page.goto('/');
  const now = page.locator('.now');
  // At t = 0 the client has sent its first SYN; → steps to the next moment something happens.
  const before = await now.textContent();
  await page.locator('body').press('ArrowRight');
  await expect(now).not.toHaveText(before ?? '');
  await expect(page.getByLabel('Virtual time')).not.toContainText('0.0 ms /');

  // End: the whole session, with the dropped data SYN marked in the ladder.
  await page.locator('body').press('End');
  const ladder = page.locator('svg.ladder-view');
  await expect(ladder).toContainText('rule 3');
  await page.screenshot({
    path: 'test-results/screenshots/visualizer-active-end.png',
    fullPage: true,
  });

  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
});

test('play moves time forward and pause stops it', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(1200);
  await page.getByRole('button', { name: 'Pause' }).click();
  const clock = await page.getByLabel('Virtual time').textContent();
  expect(clock).not.toMatch(/^0\.0 ms/);
  await page.screenshot({
    path: 'test-results/screenshots/visualizer-playing.png',
    fullPage: true,
  });
  await page.waitForTimeout(400);
  expect(await page.getByLabel('Virtual time').textContent()).toBe(clock);
});

test('selecting a packet in the ladder shows its headers in the inspector', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Passive (PASV)').check();
  await page.locator('body').press('End');
  const arrow = page.locator('svg.ladder-view [role="button"][aria-label*="227"]').first();
  await arrow.click();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector).toContainText('227 names 198.51.100.20, port');
  await expect(inspector).toContainText('× 256 +');
  await page.screenshot({
    path: 'test-results/screenshots/visualizer-inspector.png',
    fullPage: true,
  });
});
