import AxeBuilder from '@axe-core/playwright';
import { endThenLadderTop, expect, test, type Page } from './page';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { encodeState } from '../../src/ui/app/url-state';

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
  // Paused, the moment played to is no new one: a redraw (here a resize) leaves the scroll alone.
  await pause(page).click();
  await page.setViewportSize({ width: 1280, height: 700 });
  await page.waitForTimeout(500);
  expect(await top()).toBe(0);
  await page.setViewportSize({ width: 1280, height: 720 });
  // Play again: it follows again.
  await play(page).click();
  await expect.poll(top, { timeout: 5_000 }).toBeGreaterThan(100);
  await pause(page).click();
});

test("no packet on the network view covers a node's name, at any event of a run", async ({
  page,
}) => {
  // lftp behind a NAT router at 1280×720, where the drawing is compact: a packet arriving at the
  // end of its link lies under the node's name, and "← FIN-ACK" covered "Client".
  const nat = networkPreset('client-nat')!.apply(defaultScenario());
  const scenario = { ...nat, client: { ...nat.client, program: 'lftp' as const } };
  await page.goto(`/#${encodeState({ scenario, t: 0 })}`);
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('Works');
  const covered = () =>
    network(page).evaluate((svg) => {
      const names = [...svg.querySelectorAll('.node-name')].map((n) => ({
        text: n.textContent,
        box: n.getBoundingClientRect(),
      }));
      const found: string[] = [];
      for (const packet of svg.querySelectorAll('g.packet')) {
        if (packet.getAttribute('display') === 'none') continue;
        const p = packet.querySelector('rect.body')!.getBoundingClientRect();
        for (const { text, box } of names) {
          // The name's capitals: its box less the space kept for accents above them.
          const top = box.top + box.height * 0.2;
          if (p.left < box.right && box.left < p.right && p.top < box.bottom && top < p.bottom)
            found.push(`${packet.textContent} over ${text}`);
        }
      }
      return found;
    });
  const seen = new Set<string>();
  for (let step = 0; step < 120; step++) {
    await page.locator('body').press('ArrowRight');
    for (const overlap of await covered()) seen.add(overlap);
  }
  expect([...seen]).toEqual([]);
});

/**
 * Where the ladder's "now" line is against its box: whether it shows below the lanes' names, the
 * box's scroll offset, and whether the names sit at the top of the box.
 */
function ladderNow(page: Page) {
  return page.locator('[data-view="ladder"] .ladder-scroll').evaluate((scroller) => {
    const box = scroller.getBoundingClientRect();
    const names = scroller.querySelector('svg.ladder-lanes')!.getBoundingClientRect();
    const now = scroller.querySelector('.ladder-now-line')!.getBoundingClientRect();
    return {
      scrollTop: scroller.scrollTop,
      shown: now.top >= names.bottom - 1 && now.bottom <= box.bottom + 1,
      namesOnTop: Math.abs(names.top - box.top) <= 2 && names.height > 10,
    };
  });
}

test('paused, the ladder brings each new moment into view (End, a step, a shared link), under lane names that stay on top', async ({
  page,
}) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/');
  await expect(page.locator('svg.ladder-view .ladder-head').first()).toBeAttached();
  const scroller = page.locator('[data-view="ladder"] .ladder-scroll');
  await page.locator('body').press('End');
  // Reduced motion: a jump, at once, not a glide.
  await expect.poll(async () => (await ladderNow(page)).shown, { timeout: 2_000 }).toBe(true);
  const atEnd = await ladderNow(page);
  expect(atEnd.scrollTop).toBeGreaterThan(100);
  expect(atEnd.namesOnTop).toBe(true);
  await expect(scroller.locator('svg.ladder-lanes')).toContainText('client firewall');
  await page.screenshot({ path: 'test-results/ladder-end-in-view.png' });

  // Scrolled back to the top by hand while paused: it stays there...
  await scroller.hover();
  await page.mouse.wheel(0, -2_000);
  await scroller.evaluate((element) => element.scrollTo({ top: 0 }));
  await expect.poll(async () => (await ladderNow(page)).scrollTop).toBe(0);
  await page.waitForTimeout(500);
  expect((await ladderNow(page)).scrollTop).toBe(0);
  // ...until the time changes again: a step back brings the moment back into view.
  await page.locator('body').press('ArrowLeft');
  await expect.poll(async () => (await ladderNow(page)).shown).toBe(true);
  expect((await ladderNow(page)).scrollTop).toBeGreaterThan(100);

  // A link with a time in it opens with that moment in view.
  for (let i = 0; i < 12; i++) await page.locator('body').press('ArrowLeft');
  await expect(page).toHaveURL(/&t=[\d.]+$/);
  const link = page.url();
  const other = await page.context().newPage();
  await other.emulateMedia({ reducedMotion: 'reduce' });
  await other.goto(link);
  await expect(other.locator('svg.ladder-view .ladder-head').first()).toBeAttached();
  await expect.poll(async () => (await ladderNow(other)).shown).toBe(true);
  expect((await ladderNow(other)).scrollTop).toBeGreaterThan(100);
  await other.screenshot({ path: 'test-results/ladder-link-in-view.png' });
});

test("clicking a ladder arrow shows its sender's statechart in the state panel", async ({
  page,
}) => {
  await page.goto('/');
  await endThenLadderTop(page); // the data SYN is near the top
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
