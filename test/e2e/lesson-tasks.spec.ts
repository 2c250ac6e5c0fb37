import AxeBuilder from '@axe-core/playwright';
import type { Locator } from '@playwright/test';
import { expect, test, type Page } from './page';

/**
 * Issue 16, "Done when": the tasks of lessons 7, 9, 10 and 11 solved with the task panel's own
 * controls, the intended way and a known wrong way, with the feedback each gets.
 * (lessons.spec.ts covers 5/5, 6/3, 7/3's lesson-6 answer, 8/5 and 12/5.)
 */

async function openTask(page: Page, path: string) {
  await page.goto(`/#/lesson/${path}`);
  const task = page.getByRole('region', { name: 'Your task' });
  const check = task.getByRole('button', { name: 'Check my network' });
  return { task, status: task.getByRole('status'), check };
}

/** The page where the learner reads the feedback: scrolled to it, as the lesson's column scrolls. */
async function shot(page: Page, status: Locator, path: string) {
  await status.scrollIntoViewIfNeeded();
  await page.screenshot({ path });
}

test('7/3: the helper on the client side is wrong twice over; on the server side it is done', async ({
  page,
}) => {
  const { task, status, check } = await openTask(page, 'ftp-helper/3');
  await task.getByRole('checkbox', { name: 'FTP helper on the client side' }).check();
  await check.click();
  await expect(status).toContainText('Not yet');
  // The diagnosis of the run: the client opens the connection, the server's firewall decides.
  await expect(status).toContainText(
    "The FTP helper is on the client's router, but in passive mode the client opens the data connection",
  );
  await expect(status).toContainText("Switch the helper on at the server's router.");
  // The constraint: only the server's side is the learner's to change.
  await expect(status).toContainText(
    "You changed the FTP helper on the client's router; this task lets you change only the server's router.",
  );
  await shot(page, status, 'test-results/screenshots/lesson-tasks-7-3-wrong.png');
  await task.getByRole('button', { name: 'Start over' }).click();
  await expect(status).toHaveCount(0);
  await task.getByRole('checkbox', { name: 'FTP helper on the server side' }).check();
  await check.click();
  await expect(status).toContainText('Done: your network meets the goal.');
  await expect(status).not.toContainText('Works, but');
});

test('9/3: the helper makes it work and NAT fails before the firewall; rejecting is done', async ({
  page,
}) => {
  const { task, status, check } = await openTask(page, 'drop-vs-reject/3');
  // As the step starts: dropped in silence, a minute's wait.
  await check.click();
  await expect(status).toContainText(
    "The firewall still drops the server's SYN in silence, so the server waits for its timeout.",
  );
  await expect(status).toContainText('The session takes 60 s; the task wants it over within 1 s.');
  // A tempting wrong answer (the lesson's notes): the helper lets the connection through.
  await task.getByRole('checkbox', { name: 'FTP helper on the client side' }).check();
  await check.click();
  await expect(status).toContainText('the task wants it to fail');
  await expect(status).toContainText(
    'The data connection now gets through; the task wants it still blocked, but rejected rather than dropped.',
  );
  await shot(page, status, 'test-results/screenshots/lesson-tasks-9-3-wrong.png');
  // The other one: behind NAT the session fails fast too, but at the PORT command, not the firewall.
  await task.getByRole('button', { name: 'Start over' }).click();
  await task.getByRole('checkbox', { name: 'Client behind NAT' }).check();
  await check.click();
  await expect(status).toContainText(
    'No data connection was tried: the session stopped before it, as the server refused the PORT command',
  );
  await expect(status).not.toContainText('should be');
  await task.getByRole('button', { name: 'Start over' }).click();
  await task.getByRole('checkbox', { name: 'Reject instead of drop' }).check();
  await check.click();
  await expect(status).toContainText('Done: your network meets the goal.');
});

test("10/5: the mode is not the learner's to change; binary is done", async ({ page }) => {
  const { task, status, check } = await openTask(page, 'ascii-vs-binary/5');
  await check.click();
  await expect(status).toContainText(
    "At least one downloaded file differs from the server's copy: in ASCII mode (TYPE A) line ends are converted on the way",
  );
  // Another switch than the transfer type (the step runs in passive mode): refused by name.
  await task
    .getByRole('group', { name: 'Data connection mode' })
    .getByRole('radio', { name: 'Active (PORT)' })
    .check();
  await check.click();
  await expect(status).toContainText(
    'You changed the data connection mode; this task lets you change only the transfer type.',
  );
  await shot(page, status, 'test-results/screenshots/lesson-tasks-10-5-wrong.png');
  await task.getByRole('button', { name: 'Start over' }).click();
  await task.getByRole('combobox', { name: 'Transfer type' }).selectOption('binary');
  await check.click();
  await expect(status).toContainText('Done: your network meets the goal.');
});

test('11/5: EPSV, lftp or no NAT are refused by name; the helper on the client side is done', async ({
  page,
}) => {
  const { task, status, check } = await openTask(page, 'eprt-epsv/5');
  const mode = task.getByRole('group', { name: 'Data connection mode' });
  // Switching to EPSV works, but is not the mode the task asks for (the lesson's notes).
  await mode.getByRole('radio', { name: 'Extended passive (EPSV)' }).check();
  await check.click();
  await expect(status).toContainText(
    'The task asks for extended active mode (EPRT); your network uses extended passive mode (EPSV). Switch the mode back.',
  );
  await expect(status).toContainText('You changed the data connection mode');
  await mode.getByRole('radio', { name: 'Extended active (EPRT)' }).check();
  // Another client program gets through here, but it is not a change on the client's router.
  const program = task.getByRole('combobox', { name: 'Client program' });
  await program.selectOption({ label: 'lftp 4.9' });
  await check.click();
  await expect(status).toContainText(
    "You changed which program plays the client; this task lets you change only the client's router.",
  );
  await program.selectOption({ label: 'Textbook RFC 959 client' });
  // Taking the client out from behind NAT.
  await task.getByRole('checkbox', { name: 'Client behind NAT' }).uncheck();
  await check.click();
  await expect(status).toContainText(
    "The task keeps the client behind NAT; you switched NAT off on the client's router.",
  );
  await shot(page, status, 'test-results/screenshots/lesson-tasks-11-5-wrong.png');
  await new AxeBuilder({ page })
    .analyze()
    .then(({ violations }) =>
      expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]),
    );
  await task.getByRole('button', { name: 'Start over' }).click();
  await task.getByRole('checkbox', { name: 'FTP helper on the client side' }).check();
  await check.click();
  await expect(status).toContainText('Done: your network meets the goal.');
  await shot(page, status, 'test-results/screenshots/lesson-tasks-11-5-done.png');
});
