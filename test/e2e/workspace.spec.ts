import { expect, test } from './page';

/**
 * The workspace (issue 12): the switch a learner flips, the packet it stops and the verdict on
 * one screen. Regions are found by the data-view / data-control contract that embedders and these
 * tests share, and their boxes are checked against the viewport.
 */

const SANDBOX_VIEWS = [
  'switchboard',
  'outcome',
  'network',
  'ladder',
  'player',
  'inspector',
  'what-if',
];
const SANDBOX_CONTROLS = ['mode', 'client-firewall', 'server-firewall'];

test('every region of the sandbox and the lesson page carries its data-view', async ({ page }) => {
  await page.goto('/');
  for (const view of SANDBOX_VIEWS)
    await expect(page.locator(`[data-view="${view}"]`)).toHaveCount(1);
  for (const control of SANDBOX_CONTROLS)
    await expect(page.locator(`[data-control="${control}"]`)).toHaveCount(1);
  await expect(page.locator('[data-control="mode"]')).toHaveAccessibleName('Data connection mode');
  await expect(page.locator('[data-control="client-firewall"]')).toHaveAccessibleName(
    'Client firewall',
  );
  await page.goto('/#/lesson/two-connections/1');
  await expect(page.locator('[data-view="question"]')).toContainText('Predict');
  await expect(page.locator('[data-view="network"]')).toHaveCount(1);
});
