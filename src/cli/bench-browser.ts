import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { build, preview, type Manifest, type PreviewServer } from 'vite';
import e2eConfig from '../../playwright.config';
import { firstLoadFiles, gzipBytes } from './bench-bundle';
import { ascending, median, percentile } from './bench-stats';

/**
 * The browser half of `npm run bench`, run after bench.ts: the production bundle's first-load
 * size, and in headless Chromium (launched as the end-to-end tests launch it, at 1280×720) the
 * main-thread cost of each frame while the starting scenario plays to its end at 1×, and the
 * time from flipping a switch to the frame that shows the new outcome. Prints key=value lines
 * like bench.ts and exits 0 whatever the figures: numbers to read, not a test.
 *
 * The build goes to a temporary folder served on a free port, so the bench never touches dist/
 * or port 4173, which the end-to-end tests may be using at the same moment.
 */

const BUDGET = { jsGzipKb: 150, frameMs: 16.7, resimRedrawMs: 50 };
/** The starting scenario plays for about 13 s at 1×; stop waiting after this. */
const PLAYBACK_CAP_MS = 20_000;
/** Each flip turns the starting scenario's outcome from Fails to Works or back. */
const FLIPS: { role: 'checkbox' | 'radio'; name: string }[] = [
  { role: 'checkbox', name: 'FTP helper on the client side' },
  { role: 'checkbox', name: 'FTP helper on the client side' },
  { role: 'radio', name: 'Passive (PASV)' },
  { role: 'radio', name: 'Active (PORT)' },
];
const FLIP_ROUNDS = 3;
/** Let the page go quiet between flips, as a learner reading the result would. */
const PAUSE_BETWEEN_FLIPS_MS = 300;
/** The Event Timing API leaves out events shorter than this; a click without an entry was shorter. */
const EVENT_TIMING_THRESHOLD_MS = 16;

export interface Frame {
  /**
   * The frame's main-thread work: from the start of its first requestAnimationFrame callback to
   * the end of its style, layout and paint (the app's animation tick, Svelte's updates, D3's joins
   * included). Raster runs on other threads and is not counted.
   */
  workMs: number;
  /** From the previous frame's start to this one's: 16.7 ms when the page keeps up with 60 Hz. */
  intervalMs: number;
}

export interface Flip {
  /** The click's own timestamp (performance.now() time base). */
  clickTime: number;
  /** From the click to the end of rendering the first frame with the new outcome; NaN if none came within 3 s. */
  redrawMs: number;
}

/** What bench-probe.js puts on `window` in the page. */
export interface Probe {
  /** From the next click on, measure every frame until stopFrames(). */
  recordFramesFromNextClick(): void;
  stopFrames(): Frame[];
  /** Frames of 50 ms or more while recording. */
  longFrames: number;
  /** Measure the next click; `flip` then resolves once the outcome heading has changed on screen. */
  measureNextClick(): void;
  flip: Promise<Flip> | null;
  /** Event Timing entries for clicks: duration runs to the next presented frame, rounded to 8 ms. */
  clickPaints: { startTime: number; duration: number }[];
}

declare global {
  interface Window {
    ftpLabBench?: Probe;
  }
}

const PROBE_SCRIPT = fileURLToPath(new URL('./bench-probe.js', import.meta.url));

async function bundleSizes(outDir: string): Promise<{ jsKb: number; cssKb: number }> {
  const manifestPath = join(outDir, '.vite', 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  const { js, css } = firstLoadFiles(manifest);
  // kB of 1000 bytes, as Vite's own build report prints them.
  return {
    jsKb: (await gzipBytes(outDir, js)) / 1000,
    cssKb: (await gzipBytes(outDir, css)) / 1000,
  };
}

async function playWholeSession(
  page: Page,
): Promise<{ frames: Frame[]; longFrames: number; ended: boolean }> {
  const play = page.getByRole('button', { name: 'Play', exact: true });
  await page.evaluate(() => window.ftpLabBench!.recordFramesFromNextClick());
  const started = Date.now();
  await play.click();
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  // Playback stops by itself at the end, and the button reads Play again.
  let ended = false;
  while (!ended && Date.now() - started < PLAYBACK_CAP_MS) {
    await page.waitForTimeout(100);
    ended = await play.isVisible();
  }
  const frames = await page.evaluate(() => window.ftpLabBench!.stopFrames());
  const longFrames = await page.evaluate(() => window.ftpLabBench!.longFrames);
  if (!ended) await page.getByRole('button', { name: 'Pause', exact: true }).click();
  return { frames, longFrames, ended };
}

/** Flips each switch in turn; for each, ms to the rendered new outcome and to the presented frame. */
async function flipSwitches(page: Page): Promise<{ redrawMs: number[]; presentedMs: number[] }> {
  const flips: Flip[] = [];
  for (let round = 0; round < FLIP_ROUNDS; round++) {
    for (const { role, name } of FLIPS) {
      await page.waitForTimeout(PAUSE_BETWEEN_FLIPS_MS);
      await page.evaluate(() => window.ftpLabBench!.measureNextClick());
      await page.getByRole(role, { name, exact: true }).click();
      const flip = await page.evaluate(() => window.ftpLabBench!.flip!);
      if (Number.isNaN(flip.redrawMs)) console.error(`bench: "${name}" did not change the outcome`);
      else flips.push(flip);
    }
  }
  // Event Timing entries arrive after the frame is presented: give the last one time to come.
  await page.waitForTimeout(PAUSE_BETWEEN_FLIPS_MS);
  const clickPaints = await page.evaluate(() => window.ftpLabBench!.clickPaints);
  const presentedMs = flips.map(
    ({ clickTime }) =>
      clickPaints.find(({ startTime }) => Math.abs(startTime - clickTime) < 1)?.duration ??
      EVENT_TIMING_THRESHOLD_MS,
  );
  return { redrawMs: flips.map((flip) => flip.redrawMs), presentedMs };
}

async function measureInChromium(url: string) {
  const browser = await chromium.launch(e2eConfig.use?.launchOptions);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.addInitScript({ path: PROBE_SCRIPT });
    await page.goto(url);
    await page.getByRole('region', { name: 'Outcome' }).waitFor();
    const session = await playWholeSession(page);
    const flips = await flipSwitches(page);
    return { session, flips };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const outDir = await mkdtemp(join(tmpdir(), 'ftp-lab-bench-'));
  let server: PreviewServer | null = null;
  try {
    await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true, manifest: true } });
    const sizes = await bundleSizes(outDir);
    server = await preview({
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, open: false },
    });
    const { port } = server.httpServer.address() as AddressInfo;
    const { session, flips } = await measureInChromium(`http://127.0.0.1:${port}/`);

    const work = ascending(session.frames.map((frame) => frame.workMs));
    const intervals = ascending(
      session.frames.map((frame) => frame.intervalMs).filter((ms) => !Number.isNaN(ms)),
    );
    const redraw = ascending(flips.redrawMs);
    const presented = ascending(flips.presentedMs);
    const frameP95 = percentile(work, 95);
    const redrawMedian = median(redraw);
    const lines = {
      // Other work on the machine (tests, builds) shows in every timing below.
      machine_load_1m: loadavg()[0]!.toFixed(2),
      machine_cpus: availableParallelism(),
      bundle_js_gzip_kb: sizes.jsKb.toFixed(1),
      bundle_css_gzip_kb: sizes.cssKb.toFixed(1),
      frame_work_ms_p50: median(work).toFixed(2),
      frame_work_ms_p95: frameP95.toFixed(2),
      frame_interval_ms_p95: percentile(intervals, 95).toFixed(2),
      frames: work.length,
      frames_over_50ms: session.longFrames,
      playback_reached_end: session.ended,
      resim_redraw_ms_median: redrawMedian.toFixed(1),
      resim_redraw_ms_max: (redraw.at(-1) ?? NaN).toFixed(1),
      resim_presented_ms_median: median(presented).toFixed(0),
      resim_flips: redraw.length,
      budget_bundle_js_gzip_kb: BUDGET.jsGzipKb,
      budget_frame_ms: BUDGET.frameMs,
      budget_resim_redraw_ms: BUDGET.resimRedrawMs,
      within_budget_bundle_js: sizes.jsKb <= BUDGET.jsGzipKb,
      within_budget_frame_p95: frameP95 <= BUDGET.frameMs,
      within_budget_resim_redraw: redrawMedian <= BUDGET.resimRedrawMs,
    };
    for (const [key, value] of Object.entries(lines)) console.log(`${key}=${value}`);
  } finally {
    await server?.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

await main();
