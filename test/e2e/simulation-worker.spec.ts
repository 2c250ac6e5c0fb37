import { expect, test, type Page } from './page';

/** Holds the worker's script back until the returned function is called: the stage waits meanwhile. */
async function holdWorker(page: Page): Promise<() => void> {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/simulation-worker*', async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

// The page's session is simulated in a worker (issue 12: simulate() is not in the first load).

test('the first screen says Simulating… in the stage’s own boxes until the session comes', async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  // Hold the worker's script back, so the wait is long enough to look at.
  const release = await holdWorker(page);
  await page.goto('/');
  const pending = page.getByRole('status').filter({ hasText: 'Simulating…' });
  await expect(pending).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('pending.png') });
  const verdictBefore = await page.getByTestId('pending-verdict').boundingBox();
  const networkBefore = await page.getByTestId('pending-network').boundingBox();
  release();

  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  await expect(pending).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('simulated.png') });
  // The verdict bar and the drawing are where their placeholders were: the bar's text may take a
  // second line (14 px), which the placeholder cannot know.
  const verdict = await outcome.boundingBox();
  const network = await page.locator('[data-view="network"]').boundingBox();
  expect(Math.abs(verdict!.y - verdictBefore!.y)).toBeLessThan(1);
  expect(Math.abs(verdict!.height - verdictBefore!.height)).toBeLessThan(16);
  expect(Math.abs(network!.y - networkBefore!.y)).toBeLessThan(16);
  expect(Math.abs(network!.height - networkBefore!.height)).toBeLessThan(16);
});

test('a worker that cannot start leaves the simulation to the page, which still works', async ({
  page,
}) => {
  await page.route('**/simulation-worker*', (route) => route.abort());
  await page.goto('/');
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome.getByRole('heading')).toContainText('Fails');
  await page.getByRole('radio', { name: 'Passive (PASV)', exact: true }).click();
  await expect(outcome.getByRole('heading')).toContainText('Works');
});

test('a lesson answer locked in before its session is simulated still plays it when it comes', async ({
  page,
}) => {
  // CI once clicked "Lock in my answer and run" while the step's session was still in the worker:
  // the stage mounted with the session and stopped the play the click had started.
  const release = await holdWorker(page);
  await page.goto('/#/lesson/two-connections/1');
  await expect(page.getByRole('status').filter({ hasText: 'Simulating…' })).toBeVisible();
  const question = page.getByRole('group', { name: /^Predict: How many TCP connections/ });
  await question.getByRole('radio', { name: /^Two, one for the commands/ }).check();
  await page.getByRole('button', { name: 'Lock in my answer and run' }).click();
  release();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Virtual time' })).not.toHaveText(/^0\.0 ms \//);
});

test('End pressed while the first session is simulated goes to its end when it comes', async ({
  page,
}) => {
  const release = await holdWorker(page);
  await page.goto('/');
  await expect(page.getByRole('status').filter({ hasText: 'Simulating…' })).toBeVisible();
  await page.keyboard.press('End');
  release();
  await expect(page.getByRole('status', { name: 'Virtual time' })).toHaveText(/^(.+) \/ \1$/);
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
});
