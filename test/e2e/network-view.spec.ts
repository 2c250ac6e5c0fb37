import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './page';

/**
 * The network view as the centre of the stage (issue 12): the starting sandbox is active mode
 * behind a stateful client firewall that DROPs the server's data connection. Played through, the
 * view must keep the failure on screen: the data connection's line ends in a cross at the
 * firewall, with the verdict counted over every retransmitted SYN.
 */

const network = (page: Page) => page.locator('svg.network-view');
const blockedData = (page: Page) =>
  network(page).locator('g.connection.channel-data.state-blocked');
const play = (page: Page) => page.getByRole('button', { name: 'Play', exact: true });
const pause = (page: Page) => page.getByRole('button', { name: 'Pause', exact: true });

async function fastest(page: Page): Promise<void> {
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('4');
}

test('played to the end, the blocked data connection keeps its cross and its counted DROP', async ({
  page,
}) => {
  await page.goto('/');
  await fastest(page);
  await play(page).click();
  await expect(pause(page)).toBeVisible();

  // A quiet stretch of the SYN backoff is skipped, and says so.
  const notice = page.getByTestId('skip-notice');
  await expect(notice).toBeVisible({ timeout: 15_000 });
  await expect(notice).toHaveText(/^waiting… [\d.]+ m?s skipped$/);
  await page.screenshot({ path: 'test-results/network-view-skipped.png' });

  await expect(play(page)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByLabel('Virtual time')).toContainText('60.397 s / 60.397 s');

  await expect(blockedData(page)).toHaveCount(1);
  const cross = blockedData(page).locator('.stop .cross');
  await expect(cross).toBeVisible();
  await expect(cross).toHaveText('✗');
  await expect(blockedData(page).locator('.stop .verdict')).toHaveText(/^DROP · rule 3 ×10$/);
  await expect(blockedData(page).locator('.conn-state')).toHaveText('blocked');
  // The cross stands on the client firewall.
  const crossBox = (await cross.boundingBox())!;
  const firewall = (await network(page)
    .locator('g.node[data-node="client-router"] .icon')
    .boundingBox())!;
  expect(
    Math.abs(crossBox.x + crossBox.width / 2 - (firewall.x + firewall.width / 2)),
  ).toBeLessThan(8);
  await expect(network(page).locator('g.connection.channel-control.state-closed')).toHaveCount(1);
  await network(page).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/network-view-end.png' });

  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
});

test('with "Pause at drops" on, playback stops on the first drop with the packet held there', async ({
  page,
}) => {
  await page.goto('/');
  await fastest(page);
  await page.getByRole('checkbox', { name: 'Pause at drops' }).check();
  await play(page).click();
  await expect(play(page)).toBeVisible({ timeout: 15_000 });
  await expect(page.getByLabel('Virtual time')).toContainText('307.6 ms /');

  const held = network(page).locator('g.drop');
  await expect(held.locator('.stopped .label')).toHaveText('← SYN ✗');
  await expect(held.locator('.verdict')).toHaveText('DROP · rule 3');
  await expect(blockedData(page).locator('.stop .verdict')).toHaveText('DROP · rule 3');
  await expect(page.getByTestId('stop-announcer')).toHaveText(
    /^Client firewall drops the server's SYN \(rule 3, ".*"\)\.$/,
  );
  await network(page).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/network-view-paused-at-drop.png' });

  // Play goes on from there, and stops at the next retransmission's drop.
  await play(page).click();
  await expect(play(page)).toBeVisible({ timeout: 15_000 });
  await expect(page.getByLabel('Virtual time')).toContainText('1.328 s /');
  await expect(blockedData(page).locator('.stop .verdict')).toHaveText('DROP · rule 3 ×2');
  await expect(page.getByTestId('stop-announcer')).toContainText('for the second time');
});

test('with reduced motion the marks are drawn and no packet moves along its link', async ({
  page,
}) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/');
  await page.locator('body').press('ArrowRight');
  await expect(network(page)).toHaveClass(/reduced-motion/);
  // A packet on the wire sits at the middle of its link (which is highlighted) instead of moving.
  const placed = await network(page).evaluate((svg) => {
    const packet = svg.querySelector('g.packet')!;
    const x = Number(/translate\(([-\d.]+)/.exec(packet.getAttribute('transform')!)![1]);
    const busy = svg.querySelector('line.link.busy')!;
    const middle = (Number(busy.getAttribute('x1')) + Number(busy.getAttribute('x2'))) / 2;
    return { x, middle };
  });
  expect(Math.abs(placed.x - placed.middle)).toBeLessThan(1);
  await page.locator('body').press('End');
  await expect(blockedData(page).locator('.stop .verdict')).toHaveText('DROP · rule 3 ×10');
  await expect(blockedData(page).locator('.stop .cross')).toBeVisible();
});

test('the ladder follows the playhead, and stops following once scrolled by hand, until Play', async ({
  page,
}) => {
  await page.goto('/');
  const scroller = page.locator('.ladder-scroll');
  const top = () => scroller.evaluate((element) => element.scrollTop);
  await play(page).click();
  await expect.poll(top, { timeout: 15_000 }).toBeGreaterThan(100);
  // The learner scrolls back to the start of the ladder while it plays on.
  await scroller.hover();
  await page.mouse.wheel(0, -20_000);
  await expect.poll(top).toBe(0);
  await page.waitForTimeout(1500);
  await expect(pause(page)).toBeVisible();
  expect(await top()).toBe(0);
  // Play again: it follows again.
  await pause(page).click();
  await play(page).click();
  await expect.poll(top, { timeout: 5_000 }).toBeGreaterThan(100);
  await pause(page).click();
});

test("clicking a ladder arrow shows its sender's statechart in the state panel", async ({
  page,
}) => {
  await page.goto('/');
  await page.locator('body').press('End');
  const arrow = page
    .locator('svg.ladder-view [role="button"][aria-label^="Server sends SYN to client port"]')
    .first();
  await arrow.click();
  const tab = page.getByRole('tab', { name: 'State machines and tables' });
  if ((await tab.count()) > 0) await tab.click();
  const panel = page.getByRole('region', { name: 'State machines and tables at this moment' });
  await expect(panel.getByRole('button', { pressed: true })).toContainText(
    'FTP server active data connection',
  );
  await expect(panel.locator('.statechart-panel figcaption')).toContainText(
    'FTP server active data connection',
  );
});
