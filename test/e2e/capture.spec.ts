import { readFileSync, writeFileSync } from 'node:fs';
import { ipv6EpsvSession } from '../capture/build';
import { expect, noAxeViolations, sidewaysOverflow, test, type Page } from './page';

/**
 * The Real session page with captures: the built-in example (an active-mode LIST whose data
 * connection the client's stateful firewall dropped, captured by tcpdump on the server's LAN in
 * the lab), a pcapng dropped on the page, bad files, a 50 MB capture through the picker, and the
 * closest sandbox scenario one click away.
 */

const FIXTURES = new URL('../capture/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));

/** The example capture padded to `bytes` with bulk traffic between two other hosts. */
function bigCapture(bytes: number): Buffer {
  const base = fixture('client-stateful-active.server-lan.pcap');
  const payload = 1400;
  const frameLength = 14 + 20 + 20 + payload;
  const record = Buffer.alloc(16 + frameLength);
  const count = Math.ceil((bytes - base.length) / record.length);
  const out = Buffer.alloc(base.length + count * record.length);
  base.copy(out);
  const firstSeconds = base.readUInt32LE(24);
  for (let i = 0; i < count; i++) {
    const o = base.length + i * record.length;
    out.writeUInt32LE(firstSeconds + 10, o);
    out.writeUInt32LE(i % 1_000_000, o + 4);
    out.writeUInt32LE(frameLength, o + 8);
    out.writeUInt32LE(frameLength, o + 12);
    const f = o + 16;
    out.writeUInt16BE(0x0800, f + 12);
    const ip = f + 14;
    out[ip] = 0x45;
    out.writeUInt16BE(20 + 20 + payload, ip + 2);
    out[ip + 8] = 64;
    out[ip + 9] = 6;
    out.set([10, 9, 9, 1], ip + 12);
    out.set([10, 9, 9, 2], ip + 16);
    const tcp = ip + 20;
    out.writeUInt16BE(40000, tcp);
    out.writeUInt16BE(443, tcp + 2);
    out.writeUInt32BE((i * payload) >>> 0, tcp + 4);
    out[tcp + 12] = 0x50;
    out[tcp + 13] = 0x18;
  }
  return out;
}

async function openExample(page: Page) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/#/recording');
  await page.getByRole('button', { name: 'the example capture' }).click();
  await expect(page.getByRole('heading', { name: 'The example capture' })).toBeVisible();
  return page.getByRole('region', { name: 'Diagnosis' });
}

test('the example capture: the diagnosis, the stage, a lost SYN, the inspector on a real PORT', async ({
  page,
}) => {
  const diagnosis = await openExample(page);
  await expect(diagnosis.locator('[data-view="outcome"]')).toHaveText('Fails at LIST (reply 425).');
  await expect(diagnosis).toContainText('6 SYNs sent over 5.1 s and none answered');
  await expect(diagnosis).toContainText("Captured on the server's side");
  await expect(diagnosis.getByRole('listitem').first()).toHaveText(
    'use passive mode (PASV or EPSV)',
  );
  await expect(page.locator('[data-view="network"] svg')).toBeVisible();
  await expect(page.locator('[data-view="player"]')).toBeVisible();

  // The keymap: End, then back one event at a time from the end.
  await page.keyboard.press('End');
  await expect(page.locator('.now')).toHaveText('Server sends ACK to client port 58428');
  await expect(page.locator('[data-view="ladder"]')).toContainText('221 Goodbye.');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('.now')).not.toHaveText('Server sends ACK to client port 58428');
  await page.screenshot({ path: 'test-results/capture-example.png', fullPage: true });
  await noAxeViolations(page);

  // The PORT the client really sent, in the inspector, with its arithmetic.
  const port = page.locator('[data-view="ladder"] [aria-label*="PORT "]').first();
  await port.click();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector).toContainText('PORT names 192.0.2.10, port');
  await expect(inspector).toContainText('= 37323');
  await expect(page.locator('.captured-at')).toContainText('Captured at');
  await expect(
    page.getByText(/so the clock runs up to \d+\.\d+ ms ahead of the capture/),
  ).toBeVisible();

  // K plays; with "Pause at drops" playback stops on the first SYN from port 20 that nothing
  // answered, drawn as lost past the capture point.
  await page.getByLabel('Pause at drops').check();
  await page.locator('[data-view="player"] select').selectOption('4');
  await page.keyboard.press('Home');
  await page.keyboard.press('k');
  // Paused on the drop (not at the end): its sentence is spoken, Play is back, time is left.
  await expect(
    page
      .getByText(/drops the server's SYN: not answered, so lost somewhere past the capture point/)
      .first(),
  ).toBeAttached({ timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  const clock = await page.getByLabel('Virtual time').innerText();
  const [now, end] = clock.split(' / ');
  expect(now).not.toBe(end);
});

test('the example capture beside the simulation; one click opens the closest scenario', async ({
  page,
}) => {
  const diagnosis = await openExample(page);
  await page.getByRole('button', { name: 'Compare with the closest sandbox scenario' }).click();
  const compare = page.getByRole('region', { name: 'The real session beside the simulated one' });
  await expect(compare.locator('figure svg.ladder-view')).toHaveCount(2);
  await compare.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/capture-compare.png', fullPage: true });
  await noAxeViolations(page);

  // One click opens the closest scenario in the sandbox.
  await diagnosis.getByRole('link', { name: 'Open the closest sandbox scenario' }).click();
  await expect(page).toHaveURL(/#z=/);
  await expect(page.getByRole('radio', { name: 'Active (PORT)' })).toBeChecked();
  const clientFirewall = page.locator('[data-control="client-firewall"]');
  expect(
    await clientFirewall.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]!.text),
  ).toMatch(/stateful/i);
});

test('captures by drag-and-drop and by the picker; bad files get one clear line', async ({
  page,
}) => {
  await page.goto('/#/recording');
  const dropzone = page.getByRole('group', { name: 'Open a capture or a recording' });
  const epsv = fixture('no-firewall-curl-epsv.server-lan.pcapng');
  const dataTransfer = await page.evaluateHandle(
    (bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'epsv.pcapng'));
      return transfer;
    },
    [...epsv],
  );
  await dropzone.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByRole('heading', { name: 'epsv.pcapng' })).toBeVisible();
  await expect(page.locator('[data-view="outcome"]')).toHaveText(
    'Completed: every transfer in the capture finished.',
  );
  await expect(page.getByRole('region', { name: 'Diagnosis' })).toContainText(
    'Extended passive (EPSV)',
  );
  await page.screenshot({ path: 'test-results/capture-dropped.png', fullPage: true });
  await noAxeViolations(page);

  // On a phone, in the dark, with reduced motion: nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await page.keyboard.press('End');
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/capture-phone-dark.png', fullPage: true });
  await noAxeViolations(page);
  await page.setViewportSize({ width: 1280, height: 900 });

  const picker = page.getByLabel('Open a capture or recording (.pcap, .pcapng, .json)');
  await picker.setInputFiles({
    name: 'photo.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]),
  });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(
    'photo.jpg could not be opened: not a capture file (pcap or pcapng) nor a recording',
  );
  await expect(alert).toContainText('The session shown before (epsv.pcapng) is still open.');

  // A pcap header naming a link type the reader does not know.
  const strange = Buffer.from(fixture('no-firewall-passive.internet.pcap'));
  strange.writeUInt32LE(147, 20);
  await picker.setInputFiles({
    name: 'strange.pcap',
    mimeType: 'application/octet-stream',
    buffer: strange,
  });
  await expect(alert).toContainText('strange.pcap could not be opened: unsupported link type 147.');
  await page.screenshot({ path: 'test-results/capture-error.png', fullPage: true });
  await noAxeViolations(page);

  // 50 MB through the picker: read in the Worker with a progress bar, timed.
  const path = `${process.env.FTPLAB_E2E_OUT ?? '/tmp'}-big.pcap`;
  writeFileSync(path, bigCapture(50_000_000));
  const started = Date.now();
  await picker.setInputFiles(path);
  await expect(page.getByRole('heading', { name: /-big\.pcap$/ })).toBeVisible({ timeout: 20_000 });
  const wall = Date.now() - started;
  const about = await page.locator('.about').innerText();
  const readMs = Number(/read and diagnosed in (\d+) ms/.exec(about)?.[1]);
  const openMs = Number(/\((\d+) ms from opening the file\)/.exec(about)?.[1]);
  console.log(
    `capture_browser_ms ${openMs} (50 MB: ${readMs} ms reading and diagnosing in the Worker, ${openMs} ms from the file chosen to the result in the page, ${wall} ms with Playwright's upload)`,
  );
  expect(openMs).toBeGreaterThanOrEqual(readMs);
  expect(openMs).toBeLessThan(2000);
  await expect(page.locator('[data-view="outcome"]')).toHaveText('Fails at LIST (reply 425).');
});

test('a capture of two FTP sessions: each one chosen is diagnosed on its own', async ({ page }) => {
  const active = fixture('client-stateful-active.server-lan.pcap');
  const passive = fixture('ftplib-no-firewall-passive.server-lan.pcap');
  await page.goto('/#/recording');
  await page.getByLabel('Open a capture or recording (.pcap, .pcapng, .json)').setInputFiles({
    name: 'two.pcap',
    mimeType: 'application/vnd.tcpdump.pcap',
    buffer: Buffer.concat([active, passive.subarray(24)]),
  });
  const outcome = page.locator('[data-view="outcome"]');
  await expect(outcome).toHaveText('Fails at LIST (reply 425).');
  const pick = page.getByLabel('FTP session in this capture');
  await expect(pick.locator('option')).toHaveText([
    '1: 192.0.2.10:58428 → 198.51.100.20:21, failure',
    '2: 192.0.2.10:35606 → 198.51.100.20:21, success',
  ]);
  await pick.selectOption({ index: 1 });
  await expect(outcome).toHaveText('Completed: every transfer in the capture finished.');
  await expect(page.getByRole('region', { name: 'Diagnosis' })).toContainText('RETR notes.txt');
  await noAxeViolations(page);
});

test('an IPv6 capture: the inspector names IPv6 and its hop limit, and works out the 229 port', async ({
  page,
}) => {
  await page.goto('/#/recording');
  await page.getByLabel('Open a capture or recording (.pcap, .pcapng, .json)').setInputFiles({
    name: 'v6.pcap',
    mimeType: 'application/vnd.tcpdump.pcap',
    buffer: Buffer.from(ipv6EpsvSession()),
  });
  await expect(page.locator('[data-view="outcome"]')).toHaveText(
    'Completed: every transfer in the capture finished.',
  );
  await page.keyboard.press('End');
  await page.locator('[data-view="ladder"] [aria-label*="229 Entering"]').first().click();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector).toContainText('IPv6');
  await expect(inspector).toContainText('2001:db8:1::20 → 2001:db8::10, hop limit 64');
  await expect(inspector).not.toContainText('IPv4');
  await expect(inspector).toContainText('229 names only port 50000');
  // Ten milliseconds apart, the packets need no spreading: the clock is the capture's.
  await expect(page.getByText("The clock is the capture's own")).toBeVisible();
  await page.screenshot({ path: 'test-results/capture-ipv6.png', fullPage: true });
  await noAxeViolations(page);
});
