import AxeBuilder from '@axe-core/playwright';
import { endThenLadderTop, expect, test } from './page';

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
  await page.getByRole('radio', { name: 'Passive (PASV)' }).check();
  await endThenLadderTop(page); // the 227 is near the top
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

test('the what-if row compares every mode and a click loads one', async ({ page }) => {
  await page.goto('/');
  const whatIf = page.getByRole('region', { name: 'What if: every mode on this network' });
  await expect(whatIf.getByRole('button', { name: /^Active \(PORT\): fails/ })).toBeVisible();
  await expect(whatIf.getByRole('button', { name: /^Passive \(PASV\): works/ })).toBeVisible();
  await whatIf.getByRole('button', { name: /^Passive \(PASV\)/ }).click();
  await expect(page.getByRole('region', { name: 'Outcome' }).getByRole('heading')).toContainText(
    'Works',
  );
  await expect(page.getByRole('radio', { name: 'Passive (PASV)' })).toBeChecked();
});

test('with the FTP helper the conntrack table shows the RELATED data connection', async ({
  page,
}) => {
  await page.goto('/');
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  // The same active-mode session, with the helper switched on at the client's firewall.
  await page.getByRole('checkbox', { name: 'FTP helper on the client side' }).check();
  await expect(outcome.getByRole('heading')).toContainText('Works');
  await expect(outcome).toContainText('let in as RELATED');
  await page.getByRole('checkbox', { name: 'FTP helper on the client side' }).uncheck();
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  await page.getByRole('combobox', { name: 'Client firewall' }).selectOption('stateful-helper');
  await expect(outcome.getByRole('heading')).toContainText('Works');
  await page.getByRole('button', { name: 'Go to end' }).click();
  await page.getByRole('tab', { name: 'State machines and tables' }).click();
  const tables = page.getByRole('region', { name: 'State machines and tables at this moment' });
  await expect(tables).toContainText('helper=ftp');
  await expect(tables).toContainText('RELATED');
  await expect(tables).toContainText('CLOSED');
  await page.screenshot({ path: 'test-results/screenshots/visualizer-tables.png', fullPage: true });
});

test('a share link reopens the same scenario at the same moment', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('radio', { name: 'Passive (PASV)' }).check();
  await page.getByRole('combobox', { name: 'Server firewall' }).selectOption('only-21');
  // (Arrow keys would move the focused radio group; the step button moves time.)
  await page.getByRole('button', { name: 'Next event' }).click();
  await page.getByRole('button', { name: 'Next event' }).click();
  const clock = await page.getByLabel('Virtual time').textContent();
  // The address bar follows once the learner pauses: wait for this moment to be in it.
  const [, value, unit] = /^([\d.]+) (ms|s) /.exec(clock ?? '') ?? [];
  const ms = Math.floor(Number(value) * (unit === 's' ? 1000 : 1));
  await expect(page).toHaveURL(new RegExp(`#z=[^&]+&t=${ms}(\\.\\d+)?$`));
  const url = page.url();

  const other = await page.context().newPage();
  await other.goto(url);
  await expect(other.getByRole('radio', { name: 'Passive (PASV)' })).toBeChecked();
  await expect(other.getByRole('combobox', { name: 'Server firewall' })).toHaveValue('only-21');
  await expect(other.getByLabel('Virtual time')).toHaveText(clock ?? '');
  await expect(other.getByRole('region', { name: 'Outcome' })).toContainText(
    "server firewall's rule",
  );
});

test('a damaged link shows a friendly message and the starting network', async ({ page }) => {
  await page.goto('/#s=eyJtb2RlIjoicGFzc3Yi&t=0');
  await expect(page.getByRole('alert')).toContainText('This link could not be opened');
  await expect(page.getByRole('heading', { level: 1, name: 'FTP Lab' })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'Active (PORT)' })).toBeChecked();
  await page.screenshot({ path: 'test-results/screenshots/damaged-link.png', fullPage: true });

  // A fresh load (not a hash change on the open page) of a link whose scenario has a bad field.
  await page.goto('about:blank');
  await page.goto('/#s=eyJtb2RlIjoicGFzc3YifQ&t=0');
  await expect(page.getByRole('alert')).toContainText('mode: expected one of');
});

test('? opens the keyboard shortcuts and Esc closes them', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Play or pause');
  const { violations } = await new AxeBuilder({ page }).include('dialog').analyze();
  expect(violations.map((v) => v.id)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('reduced motion switched on while the page is open applies at once, and off again', async ({
  page,
}) => {
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await page.goto('/');
  const network = page.locator('svg.network-view');
  await page.locator('body').press('ArrowRight');
  await expect(network).not.toHaveClass(/reduced-motion/);
  // A learner flips the system setting with the lab open: no reload needed.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect(network).toHaveClass(/reduced-motion/);
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await expect(network).not.toHaveClass(/reduced-motion/);
});

test('with reduced motion, playback steps from event to event', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/');
  const now = page.locator('.now');
  const before = await now.textContent();
  await page.getByRole('button', { name: 'Play' }).click();
  // One step every 0.7 s at 1×: the description changes without any continuous motion.
  await expect(now).not.toHaveText(before ?? '', { timeout: 3000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.screenshot({ path: 'test-results/screenshots/reduced-motion.png', fullPage: true });
});
