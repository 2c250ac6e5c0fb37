import { expect, noAxeViolations, test } from './page';

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

test('5/5: the source-port-20 hole works but is warned about; the helper is done', async ({
  page,
}) => {
  await page.goto('/#/lesson/client-firewall/5');
  const task = page.getByRole('region', { name: 'Your task' });
  const status = task.getByRole('status');
  await task
    .getByRole('combobox', { name: 'Client firewall' })
    .selectOption('stateless-allow-port-20');
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(status).toContainText('Done');
  await expect(status).toContainText('Works, but opens a hole');
  await expect(status).toContainText('see lesson 12');
  await page.screenshot({ path: 'test-results/screenshots/lessons-task-warning.png' });
  await noAxeViolations(page);
  // The helper on the server's side, where active mode does not need it.
  await task.getByRole('button', { name: 'Start over' }).click();
  await task.getByRole('checkbox', { name: 'FTP helper on the server side' }).check();
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(status).toContainText(
    "The FTP helper is on the server's router, but in active mode the server opens the data connection",
  );
  await expect(status).toContainText('You changed the FTP helper on the server');
});

test('6/3: a rule after the DROP, then a rule opening every high port, then the range', async ({
  page,
}) => {
  await page.goto('/#/lesson/server-firewall/3');
  const task = page.getByRole('region', { name: 'Your task' });
  const status = task.getByRole('status');
  const check = task.getByRole('button', { name: 'Check my network' });
  await task.getByText('Edit server firewall rules').click();
  await task.getByRole('button', { name: 'Add rule at the end' }).click();
  await task.getByLabel('Destination port').last().fill('1024-65535');
  await check.click();
  await expect(status).toContainText(
    'Your rule 5, "new rule", would let this connection in, but it comes after rule 4 (DROP)',
  );
  await page.screenshot({ path: 'test-results/screenshots/lessons-task-shadowed.png' });
  await task.getByRole('button', { name: 'Move rule 5 up' }).click();
  await check.click();
  await expect(status).toContainText(
    'lets in new connections to ports 1024-65535, but the server uses only 40000-40099',
  );
  await expect(status).not.toContainText('Done');
  await task.getByRole('button', { name: 'Start over' }).click();
  await task
    .getByRole('combobox', { name: 'Server firewall' })
    .selectOption('only-21-passive-range');
  await check.click();
  await expect(status).toContainText('Done: your network meets the goal.');
  // The text after the task shows once it is done.
  await expect(page.getByText('With the range open, the client')).toBeVisible();
});

test("7/3 and 8/5: the other lesson's fix, and a change on the client's side, are refused", async ({
  page,
}) => {
  await page.goto('/#/lesson/ftp-helper/3');
  let task = page.getByRole('region', { name: 'Your task' });
  await task
    .getByRole('combobox', { name: 'Server firewall' })
    .selectOption('only-21-passive-range');
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(task.getByRole('status')).toContainText('The data connection got in as NEW');
  await task.getByRole('button', { name: 'Start over' }).click();
  await task.getByRole('checkbox', { name: 'FTP helper on the server side' }).check();
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(task.getByRole('status')).toContainText('Done');

  await page.goto('/#/lesson/nat/5');
  task = page.getByRole('region', { name: 'Your task' });
  await task.getByRole('combobox', { name: 'Client uses the 227 address' }).selectOption('ignore');
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(task.getByRole('status')).toContainText(
    'You changed where the client connects after a 227 reply',
  );
  await task.getByRole('button', { name: 'Start over' }).click();
  await task.getByRole('combobox', { name: 'Server advertises in 227' }).selectOption('public');
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(task.getByRole('status')).toContainText('Done');
});

test('12/5: the source-port rule is refused where the task forbids it', async ({ page }) => {
  await page.goto('/#/lesson/myth-busting/5');
  const task = page.getByRole('region', { name: 'Your task' });
  await task
    .getByRole('combobox', { name: 'Client firewall' })
    .selectOption('stateless-allow-port-20');
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(task.getByRole('status')).toContainText(
    'This task asks for a way without such a rule',
  );
  await task.getByRole('combobox', { name: 'Client firewall' }).selectOption('stateful-helper');
  await task.getByRole('button', { name: 'Check my network' }).click();
  await expect(task.getByRole('status')).toContainText('Done');
});

test('a wrong answer hears what the run showed, and can jump to the ✗', async ({ page }) => {
  await page.goto('/#/lesson/client-firewall/1');
  await page.getByRole('radio', { name: /^Yes; the client started/ }).check();
  await page.getByRole('button', { name: 'Lock in my answer and run' }).click();
  await page.getByRole('button', { name: 'Show the answer now' }).click();
  const verdict = page.getByRole('status').filter({ hasText: 'Not quite' });
  await expect(verdict).toContainText("What the run shows: Fails: the client firewall's rule 3");
  await verdict.getByRole('button', { name: 'Jump to the ✗ in the player' }).click();
  // Paused at the drop: the caption of the moment names the rule that dropped the SYN.
  await expect(page.getByRole('button', { name: 'Play', exact: true }).first()).toBeVisible();
  await expect(page.locator('p.now').first()).toContainText(/drop/i);
  await page.screenshot({ path: 'test-results/screenshots/lessons-wrong-answer.png' });
  await noAxeViolations(page);
});

test('an explanation that says "switch the mode" has that switch beside it', async ({ page }) => {
  await page.goto('/#/lesson/client-firewall/6');
  await page.getByRole('radio', { name: /^Yes; every segment/ }).check();
  await page.getByRole('button', { name: 'Lock in my answer and run' }).click();
  await page.getByRole('button', { name: 'Show the answer now' }).click();
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome).toContainText('Works');
  await page
    .getByRole('group', { name: 'Try it: the data connection mode' })
    .getByRole('radio', { name: 'Active (PORT)' })
    .check();
  await expect(outcome).toContainText('Fails');
  await expect(outcome).toContainText('rule 3');
  await page.screenshot({ path: 'test-results/screenshots/lessons-try-it.png' });
  await noAxeViolations(page);
});

test('a step without a question is done when the learner moves on', async ({ page }) => {
  await page.goto('/#/lesson/active-mode/5');
  await expect(page.getByText('Step 5 of 5')).toBeVisible();
  // Leaving by the breadcrumb, not the Next button, and without playing to the end.
  await page.getByRole('link', { name: 'Course', exact: true }).click();
  await expect(page.getByRole('heading', { name: /^Course:/ })).toBeVisible();
  await page.goto('/#/lesson/active-mode/1');
  await expect(
    page.getByRole('link', { name: 'A new PORT for every transfer (done)' }),
  ).toBeVisible();
});

test("5/1's outcome box keeps 5/3's answer back until 5/3 is answered", async ({ page }) => {
  const why = async () => {
    const outcome = page.getByRole('region', { name: 'Outcome' });
    await outcome.getByText('Why?').click();
    return outcome.locator('details p');
  };
  await page.goto('/#/lesson/client-firewall/1');
  await page.getByRole('radio', { name: /^No; the firewall judges/ }).check();
  await page.getByRole('button', { name: 'Lock in my answer and run' }).click();
  await page.getByRole('button', { name: 'Show the answer now' }).click();
  let paragraph = await why();
  // The simulation's paragraph counts the SYNs (5/3) and names the state (5/2): held back, said so.
  await expect(paragraph).toContainText(
    'The explanation of this run answers questions still ahead, in step 2',
  );
  await expect(paragraph).toContainText('step 3 ("What DROP does');
  await expect(paragraph).not.toContainText('10 times');
  await expect(paragraph).not.toContainText('NEW');
  await page.screenshot({ path: 'test-results/screenshots/lessons-held-outcome.png' });
  await noAxeViolations(page);

  await page.goto('/#/lesson/client-firewall/3');
  await page.getByRole('radio', { name: /^Ten, over one minute/ }).check();
  await page.getByRole('button', { name: 'Lock in my answer and run' }).click();
  await page.getByRole('button', { name: 'Show the answer now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Right' })).toBeVisible();

  await page.goto('/#/lesson/client-firewall/1');
  paragraph = await why();
  await expect(paragraph).toContainText('sent the SYN 10 times');
  await expect(paragraph).not.toContainText('step 3 (');
  await expect(paragraph).not.toContainText('NEW');
});
