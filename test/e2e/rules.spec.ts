import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './page';

test.use({ viewport: { width: 1280, height: 720 } });
// Each test edits several fields and re-simulates on each; a busy 2-core machine needs the room.
test.describe.configure({ timeout: 90_000 });

async function openClientRules(page: Page) {
  await page.goto('/');
  await page.getByText('Edit client firewall rules').click();
  return page.getByRole('group', { name: 'Client firewall rules' });
}

function outcomeOf(page: Page) {
  return page.getByRole('region', { name: 'Outcome' });
}

test('edit a rule with an invalid port range and see the inline error', async ({ page }) => {
  const editor = await openClientRules(page);
  const outcome = outcomeOf(page);
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  const before = await outcome.textContent();

  await editor.getByRole('button', { name: 'Edit rule 3' }).click();
  const port = editor.getByRole('textbox', { name: 'Destination port' });
  await port.fill('5000-20');
  await port.press('Tab');

  await expect(port).toHaveAttribute('aria-invalid', 'true');
  const message = editor.locator(`#${await port.getAttribute('aria-describedby')}`);
  await expect(message).toHaveAttribute('role', 'alert');
  await expect(message).toContainText('got "5000-20"');
  await expect(message).toContainText('a range like 40000-40099 with from ≤ to');
  await expect(editor.getByRole('status')).toContainText('Not applied yet');
  // The learner's text stays; the simulation keeps the last valid rules.
  await expect(port).toHaveValue('5000-20');
  expect(await outcome.textContent()).toBe(before);
  await page.screenshot({ path: 'test-results/screenshots/rules-invalid.png', fullPage: true });
  await page
    .getByRole('region', { name: 'Scenario' })
    .screenshot({ path: 'test-results/screenshots/rules-invalid-switchboard.png' });

  await port.fill('1024-65535');
  await expect(port).not.toHaveAttribute('aria-invalid', 'true');
  await expect(editor.getByRole('alert')).toHaveCount(0);
  await expect(editor.getByRole('listitem').nth(2)).toContainText(
    'Inbound packets to ports 1024-65535',
  );
  // Still blocked: the data connection goes to the client's ephemeral port, above 1023.
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  await expect(page.getByRole('combobox', { name: 'Client firewall' })).toHaveValue('custom');
});

test('a rule letting port 20 in, moved up with the keyboard, makes active mode work', async ({
  page,
}) => {
  const editor = await openClientRules(page);
  const outcome = outcomeOf(page);

  await editor.getByRole('button', { name: 'Add rule at the end' }).click();
  const added = editor.getByRole('listitem').nth(3);
  await expect(added.getByRole('textbox', { name: /^Name/ })).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('inbound: FTP data from port 20');
  await added.getByRole('textbox', { name: 'Source port' }).fill('20');
  // Appended after "drop everything else", it decides nothing yet.
  await expect(outcome.getByRole('heading')).toContainText('Fails');

  await editor.getByRole('button', { name: 'Move rule 4 up' }).focus();
  await page.keyboard.press('Enter');
  // Focus follows the rule to its new place.
  await expect(editor.getByRole('button', { name: 'Move rule 3 up' })).toBeFocused();
  await expect(editor.getByRole('listitem').nth(2)).toContainText(
    'Rule 3: inbound: FTP data from port 20',
  );
  await expect(outcome.getByRole('heading')).toContainText('Works');
  await page.screenshot({ path: 'test-results/screenshots/rules-edited.png', fullPage: true });
  await page
    .getByRole('region', { name: 'Scenario' })
    .screenshot({ path: 'test-results/screenshots/rules-edited-switchboard.png' });

  // The share link carries the edited rules.
  await page.reload();
  await expect(outcome.getByRole('heading')).toContainText('Works');
  await expect(page.getByRole('combobox', { name: 'Client firewall' })).toHaveValue('custom');
  await expect(page.getByText('Edit client firewall rules')).toContainText('(4 rules)');
});

test("changing a rule's action changes the outcome at once", async ({ page }) => {
  const editor = await openClientRules(page);
  const outcome = outcomeOf(page);
  await editor.getByRole('combobox', { name: 'Rule 3 action' }).selectOption('REJECT');
  await expect(outcome).toContainText('reject');
  await expect(page.getByRole('checkbox', { name: 'Reject instead of drop' })).toBeChecked();
  await editor.getByRole('combobox', { name: 'Rule 3 action' }).selectOption('ACCEPT');
  await expect(outcome.getByRole('heading')).toContainText('Works');

  // A preset chosen above replaces the edited rules in the editor too.
  await page.getByRole('combobox', { name: 'Client firewall' }).selectOption('stateful');
  await expect(editor.getByRole('combobox', { name: 'Rule 3 action' })).toHaveValue('DROP');
});

test('switching connection tracking off while rules use states explains why it is refused', async ({
  page,
}) => {
  const editor = await openClientRules(page);
  await editor.getByRole('checkbox', { name: /^Stateful/ }).uncheck();
  await expect(editor.getByRole('alert').first()).toContainText('Rule 2 matches conntrack states');
  await expect(outcomeOf(page)).toContainText("dropped by the client firewall's rule 3");
});

test('a side without a firewall gets one built from scratch', async ({ page }) => {
  await page.goto('/');
  await page.getByText('Edit server firewall rules').click();
  await page.getByRole('button', { name: 'Add an empty server firewall' }).click();
  const editor = page.getByRole('group', { name: 'Server firewall rules' });
  await expect(editor.getByRole('button', { name: 'Add rule at the end' })).toBeFocused();
  await page.keyboard.press('Enter');
  await editor.getByRole('textbox', { name: 'Destination port' }).fill('21');
  await editor.getByRole('combobox', { name: 'Rule 1 action' }).selectOption('REJECT');
  await expect(outcomeOf(page)).toContainText('Connection refused (ICMP port unreachable)');
  await expect(page.getByText('Edit server firewall rules')).toContainText('(1 rule)');
});

test('the open rule editor has no accessibility violations', async ({ page }) => {
  // Two axe runs over a page with the ladder and network views take a while on a busy machine.
  test.setTimeout(180_000);
  const editor = await openClientRules(page);
  await page.getByText('Edit server firewall rules').click();
  await editor.getByRole('button', { name: 'Edit rule 2' }).click();
  const source = editor.getByRole('textbox', { name: 'Source address' });
  await source.fill('10.0.0.300/33');
  await source.press('Tab');
  await expect(editor.getByRole('alert')).toContainText('got "10.0.0.300/33"');
  await page.screenshot({ path: 'test-results/screenshots/rules-open-axe.png', fullPage: true });

  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);

  // The dark palette too: the error red and the action colours must keep their contrast.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page
    .getByRole('region', { name: 'Scenario' })
    .screenshot({ path: 'test-results/screenshots/rules-open-dark.png' });
  const dark = await new AxeBuilder({ page }).include('section[aria-label="Scenario"]').analyze();
  expect(dark.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
});
