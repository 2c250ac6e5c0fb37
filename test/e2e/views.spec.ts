import { execFileSync } from 'node:child_process';
import {
  endThenLadderTop,
  expect,
  noAxeViolations,
  sidewaysOverflow,
  test,
  type Page,
} from './page';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import type { Scenario } from '../../src/scenario/types';
import { encodeState } from '../../src/ui/app/url-state';

/** A share link to a scenario: the way to ask for commands the switchboard does not offer. */
function linkTo(change: Partial<Scenario>, t = 0): string {
  return `/#${encodeState({ scenario: { ...defaultScenario(), ...change }, t })}`;
}

test.describe('statechart', () => {
  test('shows the chosen socket in SYN_SENT, then how it ended, with words for both', async ({
    page,
  }) => {
    // Active mode behind a stateful client firewall, 5 s in: the server is retrying its SYN.
    const scenario = networkPreset('client-stateful')!.apply(defaultScenario());
    await page.goto(`/#${encodeState({ scenario, t: 5000 })}`);
    await page.getByRole('tab', { name: 'State machines and tables' }).click();
    const tables = page.getByRole('region', { name: 'State machines and tables at this moment' });
    const socket = tables.getByRole('button', { name: /FTP server active data connection/ });
    await socket.focus();
    await page.keyboard.press('Enter');
    await expect(socket).toHaveAttribute('aria-pressed', 'true');

    const chart = page.getByRole('group', { name: /Statechart of the TCP socket/ });
    await expect(chart.locator('g.state.current')).toHaveAttribute('data-state', 'SYN_SENT');
    const sentence = page.getByTestId('statechart-sentence');
    await expect(sentence).toContainText('198.51.100.20:20 → 192.0.2.10:');
    await expect(sentence).toContainText('is in SYN_SENT; came from CLOSED on active open');
    // Its SYNs are dropped: the retransmission loop is the step just taken.
    await expect(sentence).toContainText('has sent its SYN again 4 times');
    await expect(chart.locator('g.edge.last')).toHaveAttribute(
      'data-transition',
      'SYN_SENT->SYN_SENT',
    );
    await page.locator('.statechart-panel').screenshot({
      path: 'test-results/screenshots/views-statechart-syn-sent.png',
    });

    // A state is a button: Enter lists the ways out of it.
    await chart.locator('g.state[data-state="SYN_SENT"]').focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('.inspected')).toContainText('SYN_SENT → ESTABLISHED on SYN-ACK');

    await page.getByRole('button', { name: 'Go to end' }).click();
    await expect(sentence).toContainText('is in CLOSED; came from SYN_SENT');
    await expect(chart.locator('g.edge.last')).toHaveAttribute(
      'data-transition',
      'SYN_SENT->CLOSED',
    );
  });

  test('draws the FTP client session with both regions of its transfer', async ({ page }) => {
    await page.goto(linkTo({ mode: 'passive', commands: ['RETR notes.txt'] }, 330));
    await page.getByRole('tab', { name: 'State machines and tables' }).click();
    await page.getByRole('button', { name: /FTP client FTP client session/ }).click();
    const chart = page.getByRole('group', { name: /Statechart of the FTP client session/ });
    await expect(chart.locator('g.state.current')).toHaveCount(2);
    await expect(chart.locator('g.frame.active[data-state="transferring"]')).toHaveCount(1);
    await expect(page.getByTestId('statechart-sentence')).toContainText('transferring.data.open');
    await page.locator('.statechart-panel').screenshot({
      path: 'test-results/screenshots/views-statechart-ftp-client.png',
    });
    // Each detail view is a tab of the secondary panel: check each as it is shown.
    for (const [tab, selector] of [
      ['State machines and tables', '.state-tables'],
      ['Transfers', '.transfers'],
      ['Transcript and capture', '.capture'],
    ]) {
      await page.getByRole('tab', { name: tab }).click();
      await noAxeViolations(page, selector);
    }
  });
});

test.describe('transfers', () => {
  test('a PNG fetched with TYPE A arrives damaged, and the diff shows the lost CR', async ({
    page,
  }) => {
    await page.goto(linkTo({ mode: 'passive', type: 'ascii', commands: ['RETR logo.png'] }));
    await page.getByRole('tab', { name: 'Transfers' }).click();
    const transfers = page.getByRole('region', { name: 'Transfers' });
    const row = transfers.getByRole('row').filter({ hasText: 'RETR /logo.png' });
    await expect(row).toContainText('damaged');
    await expect(row).toContainText('1,024 B');
    await expect(row).toContainText('1,023 B');
    const diff = transfers.getByRole('group', { name: 'Bytes that differ in /logo.png' });
    await expect(diff).toContainText("At byte 4 the server's 0D is missing from the copy.");
    await expect(diff.locator('mark').first()).toHaveText('0D');
    await expect(transfers).toContainText('arrived as 89 50 4E 47 0A 1A 0A');
    await transfers.scrollIntoViewIfNeeded();
    await transfers.screenshot({ path: 'test-results/screenshots/views-transfers-damaged.png' });
  });

  test('the same PNG with TYPE I arrives identical', async ({ page }) => {
    await page.goto(linkTo({ mode: 'passive', type: 'binary', commands: ['RETR logo.png'] }));
    await page.getByRole('tab', { name: 'Transfers' }).click();
    const row = page
      .getByRole('region', { name: 'Transfers' })
      .getByRole('row')
      .filter({ hasText: 'RETR /logo.png' });
    await expect(row).toContainText('identical');
    await expect(row).not.toContainText('damaged');
  });
});

test('the capture downloads as a pcap that tshark reads, FTP lines and all', async ({
  page,
}, testInfo) => {
  await page.goto(linkTo({ mode: 'passive', type: 'ascii', commands: ['LIST'] }));
  await page.getByRole('tab', { name: 'Transcript and capture' }).click();
  await page.getByRole('combobox', { name: 'Where' }).selectOption('server');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download capture (.pcap)' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('ftp-lab-passive-server-side.pcap');
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  const dissected = execFileSync('tshark', ['-r', file], { encoding: 'utf8' });
  expect(dissected).toMatch(/FTP\s.*Request: USER student/);
  expect(dissected).toMatch(/FTP\s.*Response: 227 Entering Passive Mode/);
  expect(dissected).not.toMatch(/Malformed|Bad checksum/i);
});

/** Effective size in CSS px of the first text matching each selector inside an SVG. */
async function effectiveFontSizes(
  page: Page,
  selectors: string[],
): Promise<Record<string, number>> {
  return page.evaluate((list) => {
    const sizes: Record<string, number> = {};
    for (const selector of list) {
      const text = document.querySelector<SVGTextElement>(selector);
      const svg = text?.ownerSVGElement;
      if (!text || !svg) continue;
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      sizes[selector] = parseFloat(getComputedStyle(text).fontSize) * scale;
    }
    return sizes;
  }, selectors);
}

const LEGIBLE_TEXT = [
  '.ladder-label-text',
  '.ladder-tick',
  '.ladder-heading',
  '.topology .address',
  '.topology .port',
  '.topology .badge text',
  '.statechart .label',
  '.statechart .state .name',
];

for (const screen of [
  { name: 'projector', width: 1280, height: 720, hasTouch: false },
  { name: 'tablet', width: 1024, height: 768, hasTouch: true },
]) {
  test.describe(`${screen.name} ${screen.width}×${screen.height}`, () => {
    test.use({
      viewport: { width: screen.width, height: screen.height },
      hasTouch: screen.hasTouch,
    });

    test('no sideways scrolling, and the diagrams’ text at 13 px or more', async ({ page }) => {
      // Passive through the stateful client firewall (it has a badge), and a damaged PNG.
      const scenario = networkPreset('client-stateful')!.apply({
        ...defaultScenario(),
        mode: 'passive',
        commands: ['LIST', 'RETR logo.png'],
      });
      await page.goto(`/#${encodeState({ scenario, t: 0 })}`);
      await page.getByRole('button', { name: 'Go to end' }).click();
      await page.getByRole('tab', { name: 'State machines and tables' }).click();
      await expect(page.locator('.statechart .label').first()).toBeAttached();
      await page.screenshot({
        path: `test-results/screenshots/views-${screen.name}-${screen.width}-top.png`,
      });
      await page.screenshot({
        path: `test-results/screenshots/views-${screen.name}-${screen.width}-full.png`,
        fullPage: true,
      });
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);

      const sizes = await effectiveFontSizes(page, LEGIBLE_TEXT);
      expect(Object.keys(sizes).sort()).toEqual([...LEGIBLE_TEXT].sort());
      for (const [selector, size] of Object.entries(sizes))
        expect(size, `${selector} is ${size.toFixed(1)} px`).toBeGreaterThanOrEqual(13);
    });

    if (screen.hasTouch) {
      test('a tap on a ladder arrow opens it in the inspector', async ({ page }) => {
        await page.goto(linkTo({ mode: 'passive' }));
        await endThenLadderTop(page, { tap: true }); // the 227 is near the top
        await page.locator('svg.ladder-view [role="button"][aria-label*="227"]').first().tap();
        const inspector = page.getByRole('complementary', { name: 'Inspector' });
        await expect(inspector).toContainText('× 256 +');
        await inspector.scrollIntoViewIfNeeded();
        await page.screenshot({ path: 'test-results/screenshots/views-tablet-inspector.png' });
      });
    }
  });
}
