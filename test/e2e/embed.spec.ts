import AxeBuilder from '@axe-core/playwright';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { encodeShareLink } from '../../src/ui/app/url-state';
import { expect, test, type Page } from './page';

/**
 * Embed mode (issue 12): `#/embed/<share link>` in an iframe of someone else's page shows the
 * verdict, the stage and a player, and fits the frame it is given. The host page here is what a
 * teacher makes by pasting the sandbox's "Copy embed code" into a course page.
 */

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function hostPage(snippet: string): string {
  return (
    '<!doctype html><html lang="en"><head><title>Week 3: FTP and firewalls</title></head>' +
    `<body style="margin:20px"><h1>Week 3</h1>${snippet}</body></html>`
  );
}

/** The region's box lies inside the frame's: seen without scrolling the frame. */
function expectInside(inner: Box | null, outer: Box, what: string): void {
  expect(inner, `${what} is laid out`).not.toBeNull();
  const b = inner!;
  expect(b.height, `${what} has a height`).toBeGreaterThan(10);
  expect(b.x, `${what} left`).toBeGreaterThanOrEqual(outer.x - 0.5);
  expect(b.y, `${what} top`).toBeGreaterThanOrEqual(outer.y - 0.5);
  expect(b.x + b.width, `${what} right`).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
  expect(b.y + b.height, `${what} bottom`).toBeLessThanOrEqual(outer.y + outer.height + 0.5);
}

async function copiedEmbedCode(page: Page): Promise<string> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await page.getByRole('radio', { name: 'Passive (PASV)' }).check();
  await page.getByRole('combobox', { name: 'Server firewall' }).selectOption('only-21');
  await page.getByRole('button', { name: 'Next event' }).click();
  await page.getByRole('button', { name: 'Copy embed code' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Embed code copied' })).toBeVisible();
  return page.evaluate(() => navigator.clipboard.readText());
}

test('Copy embed code gives an iframe that shows the same network on its stage alone', async ({
  page,
}) => {
  const code = await copiedEmbedCode(page);
  expect(code).toMatch(
    /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/#\/embed\/z=[\w-]+&amp;t=[\d.]+" title="FTP Lab: [^"]+" width="960" height="540" style="border:0;max-width:100%" loading="lazy"><\/iframe>$/,
  );
  await page.setViewportSize({ width: 1040, height: 700 });
  await page.setContent(hostPage(code));
  const frame = page.frameLocator('iframe');
  await expect(frame.getByRole('radio', { name: 'Passive (PASV)' })).toHaveCount(0);
  await expect(frame.getByRole('region', { name: 'Outcome' })).toContainText(
    "server firewall's rule",
  );
  await expect(frame.getByLabel('Virtual time')).not.toHaveText(/^0\.0 ms/);
  const open = frame.getByRole('link', { name: /Open in FTP Lab/ });
  await expect(open).toHaveAttribute('href', /#z=[\w-]+&t=[\d.]+$/);
  await expect(open).toHaveAttribute('target', '_blank');
});

for (const [width, height] of [
  [640, 400],
  [960, 540],
] as const) {
  test(`an embed at ${width}×${height} fits its frame: verdict, network or ladder, player`, async ({
    page,
  }) => {
    const scenario = networkPreset('client-stateful')!.apply(defaultScenario());
    const link = await encodeShareLink({ scenario, t: 5000 });
    await page.setViewportSize({ width: width + 80, height: height + 140 });
    await page.setContent(
      hostPage(
        `<iframe src="${new URL('/', test.info().project.use.baseURL).href}#/embed/${link.replace(/&/g, '&amp;')}" ` +
          `title="FTP Lab: active mode behind a stateful client firewall" width="${width}" height="${height}" style="border:0"></iframe>`,
      ),
    );
    const frame = page.frameLocator('iframe');
    const frameBox = (await page.locator('iframe').boundingBox())!;
    await expect(frame.locator('[data-view="network"] svg')).toBeVisible();
    await expect(frame.getByRole('region', { name: 'Outcome' })).toContainText(
      "client firewall's rule 3",
    );

    // Nothing in the frame scrolls, either way.
    const overflow = await page
      .frames()[1]!
      .evaluate(() => [
        document.documentElement.scrollWidth - document.documentElement.clientWidth,
        document.documentElement.scrollHeight - document.documentElement.clientHeight,
      ]);
    expect(overflow).toEqual([0, 0]);

    for (const view of ['outcome', 'network', 'player'])
      expectInside(await frame.locator(`[data-view="${view}"]`).boundingBox(), frameBox, view);
    await page.screenshot({ path: `test-results/embed-${width}x${height}-network.png` });

    // The frame is too short for both: the ladder is the other view, with the player kept.
    await frame.getByRole('button', { name: 'Ladder', exact: true }).click();
    await expect(frame.locator('[data-view="network"]')).toBeHidden();
    expectInside(await frame.locator('[data-view="ladder"]').boundingBox(), frameBox, 'ladder');
    expectInside(await frame.locator('[data-view="player"]').boundingBox(), frameBox, 'player');
    await expect(frame.locator('[data-view="ladder"]')).toContainText('SYN');
    await page.screenshot({ path: `test-results/embed-${width}x${height}-ladder.png` });

    // The player works inside the frame.
    await frame.getByRole('button', { name: 'Go to start' }).click();
    await expect(frame.getByLabel('Virtual time')).toHaveText(/^0\.0 ms/);

    // The embedded page, not the test's bare host page around it.
    const { violations } = await new AxeBuilder({ page }).include('iframe').analyze();
    expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
  });
}

test('a tall embed shows the network view and the ladder together', async ({ page }) => {
  const scenario = networkPreset('client-stateful')!.apply(defaultScenario());
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.goto(`/#/embed/${await encodeShareLink({ scenario, t: 5000 })}`);
  await expect(page.locator('[data-view="network"]')).toBeVisible();
  await expect(page.locator('[data-view="ladder"]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Ladder', exact: true })).toBeHidden();
  await expect(page.locator('header')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/embed-1200x800.png' });
});

test('an embed address with a damaged link says so in one line', async ({ page }) => {
  await page.goto('/#/embed/z=not-deflate&t=0');
  await expect(page.getByRole('alert')).toContainText(
    'This embedded network could not be opened: the scenario in the link is damaged',
  );
  await page.goto('about:blank');
  await page.goto('/#/embed/');
  await expect(page.getByRole('alert')).toContainText('holds no network');
});

test('each lesson step has Copy embed code too, for its own network', async ({ page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/#/lesson/two-connections/1');
  await page.getByRole('button', { name: 'Copy embed code' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Embed code copied' })).toBeVisible();
  const code = await page.evaluate(() => navigator.clipboard.readText());
  const src = /src="([^"]+)"/.exec(code)![1]!.replace(/&amp;/g, '&');
  expect(src).toMatch(/#\/embed\/z=[\w-]+&t=0$/);
  await page.goto(src);
  await expect(page.locator('[data-view="network"] svg')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Outcome' })).toBeVisible();
});
