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
