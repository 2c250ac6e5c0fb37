import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './page';

async function noAxeViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
}

test('the course lists every lesson with its progress', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Lessons' }).click();
  await expect(page.getByRole('heading', { name: /^Course:/ })).toBeVisible();
  const first = page.getByRole('link', { name: 'Start: Two connections' });
  await expect(first).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'steps done' })).toContainText('0 of');
  await page.screenshot({ path: 'test-results/screenshots/lessons-course.png', fullPage: true });
  await noAxeViolations(page);
});

test('predict, run, see the answer, and find the progress kept after a reload', async ({
  page,
}) => {
  await page.goto('/#/lesson/two-connections/1');
  await expect(page.getByRole('heading', { name: 'Two connections' })).toBeVisible();
  const question = page.getByRole('group', { name: /^Predict: How many TCP connections/ });
  const run = page.getByRole('button', { name: 'Lock in my answer and run' });
  await expect(run).toBeDisabled();
  // Before answering, the session does not play: only the network is shown.
  await expect(page.getByRole('button', { name: 'Play' })).toHaveCount(0);
  await question.getByRole('radio', { name: /^One, to port 21/ }).check();
  await run.click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.getByRole('button', { name: 'Show the answer now' }).click();
  const verdict = page.getByRole('status').filter({ hasText: 'Not quite' });
  await expect(verdict).toContainText('the simulation shows: Two, one for the commands');
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('Works');
  const pause = page.getByRole('button', { name: 'Pause' });
  if (await pause.isVisible()) await pause.click();
  await page.screenshot({ path: 'test-results/screenshots/lessons-step.png', fullPage: true });
  await noAxeViolations(page);

  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'Not quite' })).toBeVisible();
  await expect(question.getByRole('radio', { name: /^One, to port 21/ })).toBeChecked();
  await expect(
    page.getByRole('link', { name: /A session with nothing in the way \(done\)/ }),
  ).toBeVisible();

  await page.getByRole('link', { name: 'Next step →' }).click();
  await expect(page).toHaveURL(/#\/lesson\/two-connections\/2$/);
  await page.getByRole('link', { name: 'Course', exact: true }).click();
  await expect(page.getByRole('link', { name: 'Continue: Two connections' })).toBeVisible();
  await expect(page.getByText('1 of 4 done')).toBeVisible();
});

test('a lesson step opens in the sandbox with its network', async ({ page }) => {
  await page.goto('/#/lesson/two-connections/4');
  await page
    .getByRole('group', { name: /^Predict:/ })
    .getByRole('radio', { name: /^The server/ })
    .check();
  await page.getByRole('button', { name: 'Lock in my answer and run' }).click();
  await page.getByRole('button', { name: 'Show the answer now' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Right/ })).toBeVisible();
  await page.getByRole('link', { name: 'Open this step in the sandbox' }).click();
  await expect(page.getByRole('radio', { name: 'Active (PORT)' })).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Client firewall' })).toHaveValue('none');
});

test('corrupted stored progress is discarded with a notice', async ({ page }) => {
  await page.addInitScript(() =>
    localStorage.setItem('ftp-lab.progress', '{"version":1,"lessons":7'),
  );
  await page.goto('/#/lessons');
  await expect(page.getByRole('alert')).toContainText('could not be read');
  await expect(page.getByRole('link', { name: 'Start: Two connections' })).toBeVisible();
});

test('a link to a missing lesson or step explains itself', async ({ page }) => {
  await page.goto('/#/lesson/no-such-lesson/1');
  await expect(page.getByRole('alert')).toContainText('There is no lesson called "no-such-lesson"');
  await page.goto('/#/lesson/two-connections/99');
  await expect(page.getByRole('alert')).toContainText('has 4 steps, not 99');
});

test('the notes window follows the presenter and moves it', async ({ page, context }) => {
  await page.goto('/#/present/two-connections/1');
  const notes = await context.newPage();
  await notes.goto('/#/notes/two-connections/1');
  await expect(notes.getByText('Let the room guess before pressing Play')).toBeVisible();
  await page.bringToFront();
  await page.keyboard.press('PageDown');
  await expect(
    notes.getByRole('heading', { name: /^Step 2 of 4: The control connection/ }),
  ).toBeVisible();
  await notes.getByRole('button', { name: 'Next →' }).click();
  await expect(page.getByText('Step 3 of 4')).toBeVisible();
  await expect(notes.getByText(/#\/lesson\/two-connections\/3$/)).toBeVisible();
  await notes.screenshot({ path: 'test-results/screenshots/lessons-notes.png' });
});

test('a task is checked by running the changed network of the learner', async ({ page }) => {
  await page.goto('/#/lesson/client-firewall/5');
  const task = page.getByRole('region', { name: 'Your task' });
  await expect(task).toContainText('without switching the client');
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(task.getByRole('status')).toContainText('Not yet');
  // Turning the firewall off makes the listing work, but is not what the task asks.
  await task.getByRole('combobox', { name: 'Client firewall' }).selectOption('none');
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(task.getByRole('status')).toContainText("keep the client's firewall");
  await task.getByRole('button', { name: 'Start over' }).click();
  await task.getByRole('checkbox', { name: 'FTP helper on the client side' }).check();
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(task.getByRole('status')).toContainText('Done');
  await page.screenshot({ path: 'test-results/screenshots/lessons-task.png', fullPage: true });
  await page.goto('/#/lessons');
  await expect(page.getByText('1 of 6 done')).toBeVisible();
});
