import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { defaultScenario } from '../../src/scenario/presets';
import type { Scenario } from '../../src/scenario/types';
import { encodeState } from '../../src/ui/url-state';

/** A share link to a scenario: the way to ask for commands the switchboard does not offer. */
function linkTo(change: Partial<Scenario>): string {
  return `/#${encodeState({ scenario: { ...defaultScenario(), ...change }, t: 0 })}`;
}

test.describe('transfers', () => {
  test('a PNG fetched with TYPE A arrives damaged, and the diff shows the lost CR', async ({
    page,
  }) => {
    await page.goto(linkTo({ mode: 'passive', type: 'ascii', commands: ['RETR logo.png'] }));
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
