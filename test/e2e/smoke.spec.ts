import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './page';

test('home page runs a scenario and has no accessibility violations', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'FTP Lab' })).toBeVisible();
  const outcome = page.getByRole('region', { name: 'Outcome' });
  // Default: active mode behind a stateful client firewall fails at the first transfer.
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  await expect(outcome).toContainText("dropped by the client firewall's rule 3");
  await page.getByRole('tab', { name: 'Transcript and capture' }).click();
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
  await page.getByRole('tab', { name: 'Transcript and capture' }).click();
  await expect(page.getByLabel('Transcript of every packet and line')).toContainText(
    '227 Entering Passive Mode',
  );
  await page.screenshot({
    path: 'test-results/screenshots/home-passive-works.png',
    fullPage: true,
  });
});

test('the theme button overrides the system palette both ways, and the page stays accessible', async ({
  page,
}) => {
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const LIGHT = 'rgb(247, 247, 244)';
  const DARK = 'rgb(21, 25, 29)';
  const themeButton = page.getByRole('button', { name: /^Colour theme:/ });

  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  await expect(themeButton).toHaveText('Theme: system');
  expect(await background()).toBe(LIGHT);
  await themeButton.click(); // light
  await themeButton.click(); // dark, against a light system
  await expect(themeButton).toHaveText('Theme: dark');
  expect(await background()).toBe(DARK);
  await page.screenshot({ path: 'test-results/screenshots/home-theme-dark.png' });
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);

  // The choice is remembered; a dark system with the light theme chosen stays light.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await expect(themeButton).toHaveText('Theme: dark');
  expect(await background()).toBe(DARK);
  await themeButton.click(); // system: follows the dark system
  expect(await background()).toBe(DARK);
  await themeButton.click(); // light, against a dark system
  await expect(themeButton).toHaveText('Theme: light');
  expect(await background()).toBe(LIGHT);
});
