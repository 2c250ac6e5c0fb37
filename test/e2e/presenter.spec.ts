import { expect, noAxeViolations, test, type Page } from './page';

/**
 * Presenter mode on a projector (issue 12): it fits the screen with nothing cut off, the stage is
 * the largest thing and its text reads from the back of the room; a clicker steps the lesson and
 * the run's events; the notes window drives it; a deck is a link.
 */

interface Box {
  view: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Every data-view region's box, and the viewport. */
async function regions(page: Page): Promise<{ boxes: Box[]; vw: number; vh: number }> {
  return page.evaluate(() => ({
    boxes: [...document.querySelectorAll<HTMLElement>('[data-view]')].map((el) => {
      const r = el.getBoundingClientRect();
      return { view: el.dataset.view!, x: r.x, y: r.y, width: r.width, height: r.height };
    }),
    vw: innerWidth,
    vh: innerHeight,
  }));
}

/**
 * The step's own run is on the stage (it is simulated in a worker, the stage aria-busy till then),
 * and the layout has stopped moving: the drawing is sized from its box's measured height, so for a
 * frame or two after a step whose heading wraps onto a second line it is still the old height
 * (clipped by the box meanwhile). Measured before that, a fit check fails on a moment, not a layout.
 */
async function settled(page: Page): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  const layout = () =>
    page.evaluate(
      () =>
        new Promise<string>((done) =>
          requestAnimationFrame(() =>
            requestAnimationFrame(() =>
              done(
                [...document.querySelectorAll('[data-view]')]
                  .map((el) => JSON.stringify(el.getBoundingClientRect()))
                  .join(),
              ),
            ),
          ),
        ),
    );
  let before = await layout();
  await expect
    .poll(async () => {
      const now = await layout();
      const still = now === before;
      before = now;
      return still;
    })
    .toBe(true);
}

/** The network drawing's text on screen, in CSS px: the smallest, and the packet labels'. */
async function networkText(page: Page): Promise<{ smallest: number; packet: number }> {
  return page.locator('[data-view="network"] svg').evaluate((svg: SVGSVGElement) => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const shown = [...svg.querySelectorAll('text')].filter(
      (t) => t.getBoundingClientRect().width > 0 && t.textContent!.trim() !== '',
    );
    const px = (t: Element) => parseFloat(getComputedStyle(t).fontSize) * scale;
    const label = svg.querySelector('.packet .label');
    return {
      smallest: Math.min(...shown.map(px)),
      packet: label ? px(label) : parseFloat('15') * scale,
    };
  });
}

/** Each region whole on screen, and none over another (a drawing under the player is cut off too). */
function expectInside(boxes: Box[], vw: number, vh: number): void {
  for (const b of boxes) {
    expect(b.x, `${b.view} left`).toBeGreaterThanOrEqual(0);
    expect(b.y, `${b.view} top`).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${b.view} right`).toBeLessThanOrEqual(vw + 0.5);
    expect(b.y + b.height, `${b.view} bottom`).toBeLessThanOrEqual(vh + 0.5);
  }
  for (const a of boxes)
    for (const b of boxes) {
      if (a === b) continue;
      const overlapX = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const overlapY = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      expect(Math.min(overlapX, overlapY), `${a.view} over ${b.view}`).toBeLessThanOrEqual(1);
    }
}

for (const [width, height] of [
  [1280, 720],
  [1024, 768],
  [1920, 1080],
] as const) {
  test(`presenter mode fits ${width}×${height}: the stage largest, its text at least 18 px`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height });
    await page.goto('/#/present/client-firewall/1');
    await expect(
      page.getByRole('heading', { name: 'Active mode behind a stateful firewall' }),
    ).toBeVisible();
    await settled(page);
    await page.keyboard.press('ArrowRight');
    const { boxes, vw, vh } = await regions(page);
    const views = boxes.map((b) => b.view);
    expect(views).toEqual(expect.arrayContaining(['network', 'player', 'question']));
    expectInside(boxes, vw, vh);
    const area = (b: Box) => b.width * b.height;
    const network = boxes.find((b) => b.view === 'network')!;
    for (const other of boxes) expect(area(network)).toBeGreaterThanOrEqual(area(other));
    // Nothing scrolls: the page is exactly the screen.
    expect(await page.evaluate(() => document.scrollingElement!.scrollHeight)).toBeLessThanOrEqual(
      vh,
    );

    const text = await networkText(page);
    expect(text.smallest).toBeGreaterThanOrEqual(18);
    const caption = page.getByTestId('presenter-caption');
    const captionPx = await caption.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(text.packet).toBeGreaterThan(captionPx);
    await expect(caption).toHaveText(
      'The client firewall remembers a new connection: 192.0.2.10:53233 → 198.51.100.20:21',
    );
    await page.screenshot({ path: `test-results/presenter-${width}x${height}.png` });
    // With the answer and the verdict shown, everything still fits.
    await page.keyboard.press('a');
    await expect(page.locator('[data-view="outcome"]')).toBeVisible();
    const revealed = await regions(page);
    expectInside(
      revealed.boxes.filter((b) => b.view !== 'question'),
      revealed.vw,
      revealed.vh,
    );
    await page.screenshot({ path: `test-results/presenter-${width}x${height}-answer.png` });
    console.log(
      `presenter ${width}x${height}: network ${Math.round(network.width)}x${Math.round(network.height)} at y=${Math.round(network.y)}, smallest text ${text.smallest.toFixed(1)} px, packet label ${text.packet.toFixed(1)} px, caption ${captionPx} px`,
    );
    if (width === 1280) await noAxeViolations(page);
  });
}

test('a clicker steps the lesson with PageUp/PageDown and the run with ←/→, stopping on the drop', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#/present/client-firewall/1');
  const caption = page.getByTestId('presenter-caption');
  await expect(caption).toHaveText('Client sends SYN to server port 21: opening a connection');
  // → until the firewall drops the server's SYN: the caption says so in plain words.
  for (let i = 0; i < 40; i++) {
    if ((await caption.textContent())?.includes('drops')) break;
    await page.keyboard.press('ArrowRight');
  }
  await expect(caption).toHaveText(
    'Client firewall drops the server\'s SYN (rule 3, "inbound: drop everything else")',
  );
  await expect(page.locator('[data-view="network"] .stop').first()).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(caption).toHaveText('Server sends SYN to client port 53240: opening a connection');

  // Playing to the end does not give the answer away; A shows it and takes it back.
  await page.keyboard.press('End');
  await expect(page.getByText('A reveals the answer.')).toBeVisible();
  await expect(page.locator('[data-view="outcome"]')).toHaveCount(0);
  await page.keyboard.press('a');
  await expect(page.locator('li.right')).toHaveCount(1);
  await expect(page.locator('[data-view="outcome"]')).toContainText('Fails');
  await page.keyboard.press('a');
  await expect(page.locator('li.right')).toHaveCount(0);

  // V cycles the stage: ladder, tables, network; Z zooms the network view to the whole screen.
  await page.keyboard.press('v');
  await expect(page.locator('[data-view="ladder"]')).toBeVisible();
  const ladderPx = await page
    .locator('[data-view="ladder"] svg.ladder-view')
    .evaluate((svg: SVGSVGElement) => {
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      const label = svg.querySelector('.ladder-label-text')!;
      return parseFloat(getComputedStyle(label).fontSize) * scale;
    });
  expect(ladderPx).toBeGreaterThanOrEqual(18);
  await page.screenshot({ path: 'test-results/presenter-ladder.png' });
  await page.keyboard.press('v');
  await expect(page.locator('[data-view="tables"]')).toBeVisible();
  await expect(page.locator('[data-view="tables"]')).toContainText('connection tracking');
  await page.screenshot({ path: 'test-results/presenter-tables.png' });
  await noAxeViolations(page);
  await page.keyboard.press('v');
  await expect(page.locator('[data-view="network"]')).toBeVisible();
  await page.keyboard.press('z');
  await expect(page.locator('[data-view="question"]')).toBeHidden();
  const zoomed = await page.locator('[data-view="network"]').boundingBox();
  expect(zoomed!.width).toBeGreaterThan(1200);
  const text = await networkText(page);
  expect(text.smallest).toBeGreaterThanOrEqual(18);
  await page.screenshot({ path: 'test-results/presenter-zoomed.png' });
  await page.keyboard.press('Escape');
  await expect(page.locator('[data-view="question"]')).toBeVisible();

  // PageDown and PageUp move between steps; past a lesson's last step comes the next lesson.
  await page.keyboard.press('PageDown');
  await expect(page).toHaveURL(/#\/present\/client-firewall\/2$/);
  await expect(page.getByText('Step 2 of 6')).toBeVisible();
  await page.keyboard.press('PageUp');
  await expect(page.getByText('Step 1 of 6')).toBeVisible();
  // Two quick clicks are two steps, not one.
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await expect(page.getByText('Step 3 of 6')).toBeVisible();
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  await expect(page.getByText('Step 1 of 6')).toBeVisible();

  // B blanks the screen; the clicker does nothing until B shows it again.
  await page.keyboard.press('b');
  const blank = page.getByRole('status', { name: /Screen blanked/ });
  await expect(blank).toBeVisible();
  await page.keyboard.press('PageDown');
  await page.keyboard.press('b');
  await expect(blank).toHaveCount(0);
  await expect(page.getByText('Step 1 of 6')).toBeVisible();
  // No switchboard or editing chrome on the projected view.
  await expect(page.getByRole('group', { name: 'Data connection mode' })).toHaveCount(0);

  // The keys are listed on screen.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Presenter keys' });
  await expect(help).toContainText('Next / previous event in the run');
  await expect(help).toContainText('Zoom the network view');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('the notes window drives the projected one and shows the answer, the clock and the student link', async ({
  page,
  context,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#/present/client-firewall/1');
  const notes = await context.newPage();
  await notes.setViewportSize({ width: 760, height: 1000 });
  await notes.goto('/#/notes/client-firewall/1');
  await expect(notes.getByRole('status')).toContainText('Following the projected window');
  await expect(notes.getByRole('region', { name: 'The answer' })).toContainText(
    'No. The login works',
  );
  await expect(notes.getByRole('region', { name: 'Next' })).toContainText(
    'What the firewall sees (asks: In which conntrack state',
  );
  await expect(notes.getByTestId('notes-clock')).toHaveText(/^0:00 of \d+:00$/);
  // The app runs on 127.0.0.1 here: the notes say students cannot reach it, and how to fix it.
  await expect(notes.getByTestId('loopback-warning')).toContainText('npm start -- --host 0.0.0.0');
  await expect(
    notes.getByRole('img', { name: /^QR code for http:\/\/127\.0\.0\.1/ }),
  ).toBeVisible();

  // The clicker's keys pressed in the notes window move the projected one.
  const caption = page.getByTestId('presenter-caption');
  await expect(caption).toHaveText('Client sends SYN to server port 21: opening a connection');
  await notes.keyboard.press('ArrowRight');
  await expect(caption).toHaveText(/^The client firewall remembers a new connection/);
  await notes.keyboard.press('a');
  await expect(page.locator('li.right')).toHaveCount(1);
  await expect(notes.getByRole('status')).toContainText('the answer is shown there');
  await notes.getByRole('button', { name: 'Start the clock' }).click();
  await expect(notes.getByRole('button', { name: 'Pause the clock' })).toBeVisible();
  await notes.screenshot({ path: 'test-results/presenter-notes.png', fullPage: true });
  await noAxeViolations(notes);

  await notes.keyboard.press('PageDown');
  await expect(page).toHaveURL(/#\/present\/client-firewall\/2$/);
  await expect(
    notes.getByRole('heading', { name: /^Step 2 of 6: What the firewall sees/ }),
  ).toBeVisible();
  // The clock keeps running across steps.
  await expect(notes.getByRole('button', { name: 'Pause the clock' })).toBeVisible();
});

test('a deck: steps picked from two lessons, saved in its link, presented with its notes', async ({
  page,
  context,
}) => {
  await page.goto('/#/lessons');
  await page.getByRole('link', { name: 'Build a deck' }).click();
  await expect(page.getByRole('heading', { name: 'Build a deck' })).toBeVisible();
  await page.getByText('Lesson 5: A firewall in front of the client').click();
  await page.getByRole('button', { name: /^Add "Active mode behind a stateful firewall"/ }).click();
  await page.getByText('Lesson 1: Two connections').click();
  await page.getByRole('button', { name: /^Add "The control connection"/ }).click();
  await page.getByRole('button', { name: /^Add "A session with nothing in the way"/ }).click();
  // Moved to the front: the class starts with the plain session.
  await page.getByRole('button', { name: 'Move "A session with nothing in the way" up' }).click();
  await page.getByRole('button', { name: 'Move "A session with nothing in the way" up' }).click();
  const chosen = page.getByRole('list', { name: 'Steps in this deck' }).getByRole('listitem');
  await expect(chosen).toHaveCount(3);
  await expect(chosen.first()).toContainText('A session with nothing in the way');
  await expect(page).toHaveURL(/#\/deck\/two-connections:1,client-firewall:1,two-connections:2$/);
  await page.getByRole('button', { name: 'Remove "The control connection" from the deck' }).click();
  await expect(chosen).toHaveCount(2);
  await page.screenshot({ path: 'test-results/presenter-deck-page.png', fullPage: true });
  await noAxeViolations(page);

  // The link is the deck: opened afresh, it presents the same steps in the same order.
  const link = page.url();
  await page.goto('about:blank');
  await page.goto(link);
  await expect(chosen).toHaveCount(2);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByRole('link', { name: 'Present this deck' }).click();
  await expect(
    page.getByRole('heading', { name: 'A session with nothing in the way' }),
  ).toBeVisible();
  await expect(page.getByText('Step 1 of 2')).toBeVisible();
  const notes = await context.newPage();
  await notes.goto(page.url().replace('/present-deck/', '/notes-deck/'));
  await expect(notes.getByRole('region', { name: 'Next' })).toContainText(
    'Lesson 5: Active mode behind a stateful firewall',
  );
  await notes.keyboard.press('PageDown');
  await expect(
    page.getByRole('heading', { name: 'Active mode behind a stateful firewall' }),
  ).toBeVisible();
  await expect(page.getByText('Step 2 of 2')).toBeVisible();
  await expect(notes.getByRole('region', { name: 'Next' })).toContainText('The end of the deck');
  // The last step of a deck is its end: the clicker goes no further.
  await page.keyboard.press('PageDown');
  await expect(page.getByText('Step 2 of 2')).toBeVisible();

  await page.goto('/#/present-deck/two-connections:1,nat:99/1');
  await expect(page.getByRole('alert')).toContainText('asks for step 99 of');
  await page.goto('/#/present-deck/two-connections:x/1');
  await expect(page.getByRole('alert')).toContainText('such as active-mode:3');
});

for (const [width, height] of [
  [1280, 720],
  [1024, 768],
] as const) {
  test(`every step of the course fits ${width}×${height}, the question whole on screen`, async ({
    page,
  }) => {
    const misfits: string[] = [];
    await page.setViewportSize({ width, height });
    await page.goto('/#/present/two-connections/1');
    await expect(page.getByText('Step 1 of 4')).toBeVisible();
    let steps = 0;
    for (let n = 0; n < 80; n++) {
      const before = page.url();
      const where = before.replace(/^.*#/, '#');
      steps++;
      await settled(page);
      const { boxes, vw, vh } = await regions(page);
      const scrollHeight = await page.evaluate(() => document.scrollingElement!.scrollHeight);
      if (scrollHeight > vh) misfits.push(`${where}: page ${scrollHeight} px tall`);
      for (const b of boxes) {
        if (b.x < 0 || b.y < 0 || b.x + b.width > vw + 0.5 || b.y + b.height > vh + 0.5)
          misfits.push(`${where}: ${b.view} at ${[b.x, b.y, b.width, b.height].map(Math.round)}`);
      }
      const network = boxes.find((b) => b.view === 'network')!;
      const player = boxes.find((b) => b.view === 'player')!;
      if (network.y + network.height > player.y + 1)
        misfits.push(`${where}: network under the player`);
      // The course's last step: PageDown goes no further.
      if (/#\/present\/myth-busting\/6$/.test(before)) break;
      await page.keyboard.press('PageDown');
      await expect(page).not.toHaveURL(before, { timeout: 10_000 });
    }
    expect(steps, `stopped at ${page.url()}`).toBeGreaterThanOrEqual(60);
    expect(misfits).toEqual([]);
  });
}

test('with reduced motion, playing moves from event to event and the caption follows', async ({
  page,
}) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#/present/two-connections/1');
  const caption = page.getByTestId('presenter-caption');
  await expect(caption).toHaveText('Client sends SYN to server port 21: opening a connection');
  await page.keyboard.press('k');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(caption).not.toHaveText(/SYN to server port 21/, { timeout: 10_000 });
  // Packets sit still on their link instead of gliding along it.
  await expect(page.locator('[data-view="network"] svg.reduced-motion')).toHaveCount(1);
  await page.keyboard.press('k');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
});
