import { readFileSync } from 'node:fs';
import { decodeShareLink } from '../../src/ui/app/url-state';
import { expect, noAxeViolations, test } from './page';

/** A real passive-mode session, recorded with npm run record against npm run serve. */
const passive = readFileSync(new URL('fixtures/recording-passive.json', import.meta.url));

/** The scenario in a sandbox share link (`#z=<compressed>&t=...`, url-state.ts). */
async function scenarioInUrl(url: string): Promise<{ mode: string; commands: string[] }> {
  const read = await decodeShareLink(new URL(url).hash);
  if (!read.ok || !read.value) throw new Error(`no scenario in ${url}`);
  return read.value.scenario;
}

test('a recorded session replays step by step, and opens as a simulation', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Real session' }).click();
  await expect(page).toHaveURL(/#\/recording$/);
  await expect(page.getByRole('heading', { name: 'A real session, replayed' })).toBeVisible();

  await page.getByRole('button', { name: 'the example recording' }).click();
  await expect(page.getByRole('heading', { name: 'The example recording' })).toBeVisible();
  await expect(page.getByText('Active (PORT)')).toBeVisible();
  const ladder = page.getByRole('list', { name: /^Control dialogue/ });
  await expect(ladder.getByRole('listitem')).toHaveCount(0);

  await page.keyboard.press('ArrowRight');
  await expect(ladder.getByRole('listitem')).toHaveCount(1);
  await expect(ladder.getByRole('listitem').first()).toContainText('220 FTP Lab server ready.');
  const status = page.locator('[aria-live="polite"]');
  await expect(status).toContainText('Event 1 of 16');
  await expect(status).toContainText('Server to client: 220 FTP Lab server ready.');
  await page.keyboard.press('ArrowRight');
  await expect(status).toContainText('Client to server: USER anonymous');
  await page.keyboard.press('ArrowLeft');
  await expect(ladder.getByRole('listitem')).toHaveCount(1);

  // Play to the end: the whole dialogue at its own pace, with the data connection the server opened.
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible({ timeout: 20_000 });
  await expect(ladder.getByRole('listitem')).toHaveCount(16);
  await expect(ladder).toContainText('Data connection 1 opened by the server');
  await expect(ladder).toContainText('221 Goodbye.');
  await page.keyboard.press('Home');
  await expect(ladder.getByRole('listitem')).toHaveCount(0);
  await page.keyboard.press('End');
  await expect(ladder.getByRole('listitem')).toHaveCount(16);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await page.screenshot({ path: 'test-results/screenshots/recording.png', fullPage: true });
  await noAxeViolations(page);

  // A broken file: the alert names the field, and the example stays.
  const picker = page.getByLabel('Open a capture or recording (.pcap, .pcapng, .json)');
  const broken = JSON.parse(passive.toString('utf8'));
  broken.events[3].t = 1;
  await picker.setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(broken)),
  });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('broken.json could not be opened: events[3].t: expected');
  await expect(alert).toContainText(
    'The session shown before (The example recording) is still open.',
  );
  await expect(page.getByRole('heading', { name: 'The example recording' })).toBeVisible();
  await expect(ladder.getByRole('listitem')).toHaveCount(14);
  await page.screenshot({ path: 'test-results/screenshots/recording-error.png', fullPage: true });
  await noAxeViolations(page);

  await picker.setInputFiles({
    name: 'not-json.json',
    mimeType: 'application/json',
    buffer: Buffer.from('PK\u0003\u0004'),
  });
  await expect(alert).toContainText('not-json.json could not be opened: the file is not JSON');

  // A real passive session from a file, then the same session simulated.
  await picker.setInputFiles({
    name: 'passive.json',
    mimeType: 'application/json',
    buffer: passive,
  });
  await expect(page.getByRole('heading', { name: 'passive.json' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByText('Passive (PASV)')).toBeVisible();
  await page.keyboard.press('End');
  await expect(ladder).toContainText('227 Entering Passive Mode');
  await expect(ladder).toContainText('Data connection 1 opened by the client');

  await page.getByRole('link', { name: 'Simulate the same session' }).click();
  await expect(page).toHaveURL(/#z=/);
  await expect(page.getByRole('radio', { name: 'Passive (PASV)' })).toBeChecked();
  expect(await scenarioInUrl(page.url())).toMatchObject({
    mode: 'passive',
    commands: ['RETR notes.txt'],
  });
});

test('a recording dropped on the page opens; the example simulated keeps its mode', async ({
  page,
}) => {
  await page.goto('/#/recording');
  const dropzone = page.getByRole('group', { name: 'Open a capture or a recording' });
  const dataTransfer = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    return transfer;
  }, passive.toString('utf8'));
  await dropzone.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByRole('heading', { name: 'dropped.json' })).toBeVisible();
  await page.setViewportSize({ width: 420, height: 900 });
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await page.keyboard.press('End');
  await page.screenshot({
    path: 'test-results/screenshots/recording-narrow-dark.png',
    fullPage: true,
  });

  await page.getByRole('button', { name: 'the example recording' }).click();
  await page.getByRole('link', { name: 'Simulate the same session' }).click();
  // On a narrow screen the sandbox shows the stage; its settings are the other view.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('radio', { name: 'Active (PORT)' })).toBeChecked();
  expect(await scenarioInUrl(page.url())).toMatchObject({
    mode: 'active',
    commands: ['RETR notes.txt'],
  });
});
