import AxeBuilder from '@axe-core/playwright';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { expect, test } from './page';

test('the preset axis of the what-if matrix loads the network a cell names', async ({ page }) => {
  await page.goto('/');
  const whatIf = page.getByRole('region', { name: 'What if: every mode on this network' });
  await whatIf.getByRole('button', { name: 'Every mode under every network preset' }).click();
  const cell = whatIf.getByRole('button', {
    name: /^Server firewall: only port 21, Passive \(PASV\): fails\./,
  });
  // 68 sessions in a worker: a moment on a busy machine.
  await expect(cell).toBeVisible({ timeout: 20_000 });
  await expect(
    whatIf.getByRole('button', {
      name: /^Client firewall with the FTP helper, Active \(PORT\): works\./,
    }),
  ).toBeVisible();
  // The table is dealt out to several workers: every cell must come back, once.
  await expect(
    whatIf.getByRole('table').getByRole('button', { name: /: (works|fails)\./ }),
  ).toHaveCount(68);
  await page.screenshot({ path: 'test-results/screenshots/what-if-presets.png', fullPage: true });
  await cell.click();
  await expect(page.getByRole('radio', { name: 'Passive (PASV)' })).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Server firewall' })).toHaveValue('only-21');
  await expect(page.getByRole('region', { name: 'Outcome' }).getByRole('heading')).toContainText(
    'Fails',
  );
});

test('the program axis of the what-if matrix: behind the server’s NAT, curl ignores the private 227 the textbook client follows', async ({
  page,
}) => {
  const scenario = {
    ...networkPreset('server-nat-private')!.apply(defaultScenario()),
    mode: 'passive',
  };
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`/#s=${Buffer.from(JSON.stringify(scenario)).toString('base64url')}&t=0`);
  const whatIf = page.getByRole('region', { name: 'What if: every mode on this network' });
  await whatIf.getByRole('button', { name: 'Every client program on this network' }).click();
  const dialog = page.getByRole('dialog', { name: 'Every client program on this network' });
  const textbook = dialog.getByRole('button', {
    name: /^Textbook RFC 959 client, Passive \(PASV\): fails\. .*10\.0\.0\.\d+.* The session on screen\.$/,
  });
  await expect(textbook).toBeVisible({ timeout: 20_000 });
  await expect(textbook).toHaveAttribute('aria-current', 'true');
  await expect(
    dialog.getByRole('table').getByRole('button', { name: /: (works|fails)\./ }),
  ).toHaveCount(16);
  const curl = dialog.getByRole('button', { name: /^curl 7\.88, Passive \(PASV\): works\./ });
  await expect(curl).toBeVisible();
  const { violations } = await new AxeBuilder({ page }).include('dialog').analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/what-if-programs.png' });
  // Keyboard: the cells are buttons in reading order; Enter plays one.
  await curl.focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('combobox', { name: 'Client program' })).toHaveValue('curl');
  await expect(page.getByRole('radio', { name: 'Passive (PASV)' })).toBeChecked();
  await expect(page.getByRole('region', { name: 'Outcome' }).getByRole('heading')).toContainText(
    'Works',
  );
});
