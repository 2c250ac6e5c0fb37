import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';

/**
 * Playwright's `test` with one change: a full-page screenshot shows the whole page. The app lets
 * the browser skip laying out views far below the fold (`content-visibility: auto`), which a
 * full-page capture would otherwise show as empty space.
 */
export const test = base.extend<{ page: Page }>({
  page: async ({ page }, use) => {
    const capture = page.screenshot.bind(page);
    page.screenshot = async (options) => {
      if (options?.fullPage)
        await page.addStyleTag({ content: '* { content-visibility: visible !important; }' });
      return capture(options);
    };
    await use(page);
  },
});

export { expect, type Page };

/** axe finds nothing wrong on the whole page, or inside `selector`. */
export async function noAxeViolations(page: Page, selector?: string): Promise<void> {
  const axe = new AxeBuilder({ page });
  const { violations } = await (selector ? axe.include(selector) : axe).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
}

/** How far the page scrolls sideways: 0 or less when it does not. */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
}

/**
 * Goes to the end of the session and back up the ladder by hand, as a learner reaching an early
 * row would: at the end the ladder shows the end (66128a8), and rows far from the view are not
 * drawn. Waits for the clock to reach the end first, so the ladder's own scroll comes before ours.
 */
export async function endThenLadderTop(
  page: Page,
  options: { tap?: boolean; ladder?: string } = {},
): Promise<void> {
  const end = page.getByRole('button', { name: 'Go to end' });
  if (options.tap) await end.tap();
  else await end.click();
  await expect(page.getByLabel('Virtual time')).toHaveText(/^(.+) \/ \1$/);
  await page
    .locator(options.ladder ?? '.ladder-scroll')
    .first()
    .evaluate((e) => e.scrollTo({ top: 0 }));
}
