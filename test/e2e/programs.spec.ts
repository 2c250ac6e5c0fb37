import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './page';

// Issue 13: the switchboard plays real programs; the outcome says what the program did.

test('lftp behind client NAT falls back to passive mode, and the link keeps the program', async ({
  page,
}) => {
  await page.goto('/');
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await page.getByRole('combobox', { name: 'Client firewall' }).selectOption('none');
  await page.getByRole('checkbox', { name: 'Client behind NAT' }).check();
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  const client = page.getByRole('combobox', { name: 'Client program' });
  await expect(client).toHaveValue('rfc959');
  await expect(page.getByRole('combobox', { name: 'Client uses the 227 address' })).toBeEnabled();
  await client.selectOption('lftp');
  await expect(outcome.getByRole('heading')).toContainText('Works');
  await expect(outcome).toContainText('lftp 4.9 fell back to passive mode (PASV)');
  // Only the textbook client lets the scenario choose its 227 policy.
  await expect(page.getByRole('combobox', { name: 'Client uses the 227 address' })).toBeDisabled();
  await page.screenshot({ path: 'test-results/programs-lftp.png', fullPage: true });
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);

  await page
    .getByRole('button', { name: 'Pause' })
    .or(page.getByRole('button', { name: 'Play' }))
    .first()
    .click();
  await page.getByRole('button', { name: 'Next event' }).click();
  await expect(page).toHaveURL(/#z=/);
  const other = await page.context().newPage();
  await other.goto(page.url());
  await expect(other.getByRole('combobox', { name: 'Client program' })).toHaveValue('lftp');
});

test('the source-port-20 rule lets vsftpd in and not pyftpdlib', async ({ page }) => {
  await page.goto('/');
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await page.getByRole('combobox', { name: 'Client firewall' }).selectOption('stateful-sport20');
  await expect(outcome.getByRole('heading')).toContainText('Works');
  await page.getByRole('combobox', { name: 'Server program' }).selectOption('pyftpdlib');
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  await expect(outcome).toContainText('ephemeral port');
  await page.screenshot({ path: 'test-results/programs-pyftpdlib.png', fullPage: true });
});
