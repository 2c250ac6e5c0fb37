import { expect, test, type Page } from './page';

/**
 * Damaged links and storage states from the hostile-tester report (issue 11 items 10, 11, 13, 14):
 * each one used to blank a page, hang it, miscount, or put a megabyte in the DOM.
 */

/** Uncaught errors in the page; each test ends by expecting none. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** The errors a broken link or refused storage raises (others are not what these tests check). */
const storageOrLinkErrors = (errors: string[]) =>
  errors.filter((message) => /SecurityError|denied|insecure|storage|URI/i.test(message));

const notAPage = (page: Page) =>
  page.getByRole('alert').filter({ hasText: 'is not a page of FTP Lab' });

for (const hash of ['#/%', '#/lesson/caf%C3', '#/present/%E0%A4%A/1']) {
  test(`a link with a malformed %-escape (${hash}) says it is not a page, and the app still follows the address`, async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.goto(`/${hash}`);
    await expect(notAPage(page)).toBeVisible();
    await expect(notAPage(page)).toContainText(`"${hash}"`);
    await page.screenshot({
      path: `test-results/screenshots/hardening-bad-escape-${hash.length}.png`,
    });

    await page.evaluate(() => (location.hash = '#/lessons'));
    await expect(page.getByRole('heading', { name: /^Course:/ })).toBeVisible();
    await page.evaluate(() => (location.hash = '#/%'));
    await expect(notAPage(page)).toBeVisible();
    await page.evaluate(() => (location.hash = '#/sandbox'));
    await expect(page.getByRole('region', { name: 'Outcome' })).toBeVisible();
    expect(errors).toEqual([]);
  });
}

/** Chromium with site data blocked: merely reading window.localStorage throws. */
async function blockStorage(page: Page): Promise<void> {
  await page.addInitScript(() => {
    for (const name of ['localStorage', 'sessionStorage'])
      Object.defineProperty(window, name, {
        configurable: true,
        get() {
          throw new DOMException('Access is denied for this document.', 'SecurityError');
        },
      });
  });
}

const notKept = (page: Page) =>
  page
    .getByRole('status')
    .filter({ hasText: 'your progress is kept only until you close this page' });

test('with site data blocked, the lessons and presenter mode work and say progress is not kept', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await blockStorage(page);
  await page.goto('/#/lessons');
  await expect(page.getByRole('heading', { name: /^Course:/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Start: Two connections' })).toBeVisible();
  await expect(notKept(page)).toBeVisible();
  await page.screenshot({
    path: 'test-results/screenshots/hardening-storage-blocked.png',
    fullPage: true,
  });

  // Progress still counts for the visit.
  await page.getByRole('link', { name: 'Start: Two connections' }).click();
  await expect(page.getByRole('heading', { name: 'Two connections' })).toBeVisible();
  const question = page.getByRole('group', { name: /^Predict: How many TCP connections/ });
  await question.getByRole('radio', { name: /^Two/ }).check();
  await page.getByRole('button', { name: 'Lock in my answer and run' }).click();
  await page.getByRole('button', { name: 'Show the answer now' }).click();
  await page.getByRole('link', { name: 'Course', exact: true }).click();
  await expect(page.getByText('1 of 4 done')).toBeVisible();

  await page.goto('/#/present/two-connections/1');
  await expect(
    page.getByRole('heading', { name: 'A session with nothing in the way' }),
  ).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/hardening-storage-blocked-present.png' });
  expect(storageOrLinkErrors(errors)).toEqual([]);
});

test('when storage reads and writes throw, the lessons still load and say progress is not kept', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.addInitScript(() => {
    const refuse = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    Storage.prototype.getItem = refuse;
    Storage.prototype.setItem = refuse;
    Storage.prototype.removeItem = refuse;
  });
  await page.goto('/#/lessons');
  await expect(page.getByRole('heading', { name: /^Course:/ })).toBeVisible();
  await expect(notKept(page)).toBeVisible();
  await page.goto('/#/present/two-connections/2');
  await expect(page.getByRole('heading', { name: 'The control connection' })).toBeVisible();
  expect(storageOrLinkErrors(errors)).toEqual([]);
});

test('stored progress that repeats a step counts it once', async ({ page }) => {
  await page.addInitScript(() => {
    const completed = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 99];
    const progress = { version: 1, lessons: { 'two-connections': { completed, answers: {} } } };
    localStorage.setItem('ftp-lab.progress', JSON.stringify(progress));
  });
  await page.goto('/#/lessons');
  await expect(page.getByRole('link', { name: 'Continue: Two connections' })).toBeVisible();
  await expect(page.getByText('2 of 4 done')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'steps done' })).toContainText(
    /^\s*2 of/,
  );
  await page.screenshot({ path: 'test-results/screenshots/hardening-duplicate-progress.png' });
});

/** The page's text stays small: a bad value is quoted by its first characters and its length. */
async function textLength(page: Page): Promise<number> {
  return page.evaluate(() => document.body.innerText.length);
}

test('a megabyte-long address is quoted by its start and its length, not whole', async ({
  page,
}) => {
  const long = `#/${'a'.repeat(1_048_574)}`;
  await page.goto(`/${long}`);
  await expect(notAPage(page)).toContainText('(1,048,576 characters)');
  expect(await textLength(page)).toBeLessThan(5_000);
  await page.screenshot({ path: 'test-results/screenshots/hardening-long-address.png' });
});

test('a share link with a megabyte-long time is quoted by its start and its length', async ({
  page,
}) => {
  await page.goto('/#/sandbox');
  await expect(page.getByRole('region', { name: 'Outcome' })).toBeVisible();
  // The sandbox writes a link to what is on screen into the address once it is paused.
  await expect(page).toHaveURL(/#z=[^&]+&t=/, { timeout: 10_000 });
  const link = new URL(page.url()).hash.replace(/&t=.*/, `&t=${'9x'.repeat(524_288)}`);
  // A fresh load of the damaged link, as when it is opened from a chat message.
  await page.goto('about:blank');
  await page.goto(`/${link}`);
  const notice = page.getByRole('alert').filter({ hasText: 'This link could not be opened' });
  await expect(notice).toContainText('(1,048,576 characters)');
  expect(await textLength(page)).toBeLessThan(20_000);
});

test('a share link with a megabyte-long user name is quoted by its start and its length', async ({
  page,
}) => {
  const scenario = JSON.stringify({ client: { user: 'u'.repeat(1_048_576) } });
  const encoded = Buffer.from(scenario).toString('base64url');
  await page.goto(`/#s=${encoded}&t=0`);
  const notice = page.getByRole('alert').filter({ hasText: 'This link could not be opened' });
  await expect(notice).toContainText('client.user');
  await expect(notice).toContainText('(1,048,576 characters)');
  expect(await textLength(page)).toBeLessThan(20_000);
  await page.screenshot({ path: 'test-results/screenshots/hardening-long-user-name.png' });
});
