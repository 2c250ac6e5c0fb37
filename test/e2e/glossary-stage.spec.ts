import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './page';

/**
 * The network view's words are glossary terms too (issue 16): a line above the drawing names the
 * terms it shows right now, each opening the same definition as in lesson prose.
 */

test('a term on the network drawing opens its definition by mouse and by keyboard', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/');
  const terms = page.locator('[data-view="network"]').getByTestId('drawing-terms');
  // The starting sandbox: a stateful client firewall, and the client's SYN_SENT.
  const stateful = terms.getByRole('button', { name: 'stateful', exact: true });
  await expect(stateful).toBeVisible();
  await expect(terms.getByRole('button', { name: 'SYN_SENT', exact: true })).toBeVisible();

  // The line lies above the drawing, so no packet passing under it covers a word (in a compact
  // layout the control connection's leftward packets ran through the strip it used to lie on).
  const strip = (await terms.boundingBox())!;
  const drawing = (await page.locator('[data-view="network"] svg.network-view').boundingBox())!;
  expect(strip.y + strip.height).toBeLessThanOrEqual(drawing.y + 0.5);

  await stateful.click();
  const definition = page.getByRole('dialog', { name: 'Stateful firewall' });
  await expect(definition).toBeVisible();
  await expect(definition).toContainText('connection tracking');
  await expect(stateful).toHaveAttribute('aria-expanded', 'true');
  await page.screenshot({ path: 'test-results/glossary-stage-open.png' });
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(definition).toBeHidden();
  await expect(stateful).toBeFocused();

  // Played to the end, the DROP on the data connection is listed; Tab reaches it, Enter opens it.
  await page.getByRole('button', { name: 'Go to end' }).click();
  const drop = terms.getByRole('button', { name: 'DROP', exact: true });
  await expect(drop).toBeVisible();
  await stateful.focus();
  for (let i = 0; i < 5 && !(await drop.evaluate((b) => b === document.activeElement)); i++)
    await page.keyboard.press('Tab');
  await expect(drop).toBeFocused();
  await page.keyboard.press('Enter');
  const dropDefinition = page.getByRole('dialog', { name: 'DROP' });
  await expect(dropDefinition).toBeFocused();
  await page.screenshot({ path: 'test-results/glossary-stage-keyboard.png' });
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(drop).toBeFocused();
});
