import { endThenLadderTop, expect, test } from './page';

/** Issue 11 item 16: a name beyond ASCII is sent as UTF-8, and the inspector shows its bytes. */
test('the inspector shows a UTF-8 file name as text and as its bytes', async ({ page }) => {
  const scenario = { mode: 'passive', commands: ['STOR 中文.txt', 'RETR 中文.txt'] };
  const bytes = new TextEncoder().encode(JSON.stringify(scenario));
  const base64 = Buffer.from(bytes).toString('base64url');
  await page.goto(`/#s=${base64}&t=0`);
  // The STOR is near the top. (A press of End on the page right after loading was sometimes
  // ignored, and the test passed only then.)
  await endThenLadderTop(page);
  const arrow = page
    .locator('svg.ladder-view [role="button"][aria-label*="STOR 中文.txt"]')
    .first();
  await arrow.click();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector.locator('pre.payload').first()).toHaveText('STOR 中文.txt');
  await expect(inspector).toContainText('中 = e4 b8 ad, 文 = e6 96 87');
  await expect(inspector).toContainText('Payload 17 bytes');
  await expect(inspector.locator('pre.hex')).toContainText('53 54 4f 52 20 e4 b8 ad e6 96 87');
});
