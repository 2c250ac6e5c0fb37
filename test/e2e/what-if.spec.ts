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
