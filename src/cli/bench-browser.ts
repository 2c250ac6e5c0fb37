import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { build, preview, type Manifest, type PreviewServer } from 'vite';
import e2eConfig from '../../playwright.config';
import { MAX_COMMANDS } from '../scenario/validate';
import { MAX_EVENTS } from '../ui/recording/recording-file';
import { firstLoadFiles, gzipBytes } from './bench-bundle';
import { largestRecording, largestShareFragment } from './largest-inputs';
import { ascending, median, percentile } from './bench-stats';
import { longestTask, measureFlip, traceMainThread } from './page-timing';

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

/** Issue 12 "Speed" and issue 11 item 15. */
const BUDGET = { jsGzipKb: 100, frameMs: 8, resimRedrawMs: 30, longTaskMs: 50 };
/** The starting scenario plays for about 13 s at 1× (longer on a loaded machine); stop waiting after this. */
const PLAYBACK_CAP_MS = 30_000;
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
  /**
   * Measure the next click; `flip` then resolves at the end of the first frame rendered with the
   * outcome heading changed and both the network view and the ladder redrawn.
   */
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

/** Plays the session to its end: each frame's work as the probe saw it, and its CPU time as traced. */
async function playWholeSession(
  page: Page,
): Promise<{ frames: Frame[]; frameCpuMs: number[]; longFrames: number; ended: boolean }> {
  const play = page.getByRole('button', { name: 'Play', exact: true });
  let ended = false;
  const traced = await traceMainThread(page, async () => {
    await page.evaluate(() => window.ftpLabBench!.recordFramesFromNextClick());
    const started = Date.now();
    await play.click();
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    // Playback stops by itself at the end, and the button reads Play again.
    while (!ended && Date.now() - started < PLAYBACK_CAP_MS) {
      await page.waitForTimeout(100);
      ended = await play.isVisible();
    }
  });
  const frames = await page.evaluate(() => window.ftpLabBench!.stopFrames());
  const longFrames = await page.evaluate(() => window.ftpLabBench!.longFrames);
  // Stopped at the cap, unless it ended between the last look and now.
  const pause = page.getByRole('button', { name: 'Pause', exact: true });
  if (!ended && (await pause.isVisible())) await pause.click();
  const frameCpuMs = traced.frames.map((frame) => frame.cpuMs);
  return { frames, frameCpuMs, longFrames, ended };
}

/**
 * Flips each switch in turn; for each, ms to the rendered new outcome (wall and the main thread's
 * CPU within it) and to the presented frame.
 */
async function flipSwitches(
  page: Page,
): Promise<{ redrawMs: number[]; cpuMs: number[]; presentedMs: number[] }> {
  const flips: (Flip & { cpuMs: number })[] = [];
  for (let round = 0; round < FLIP_ROUNDS; round++) {
    for (const { role, name } of FLIPS) {
      await page.waitForTimeout(PAUSE_BETWEEN_FLIPS_MS);
      const flip = await measureFlip(page, () =>
        page.getByRole(role, { name, exact: true }).click(),
      );
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
  return {
    redrawMs: flips.map((flip) => flip.redrawMs),
    cpuMs: flips.map((flip) => flip.cpuMs),
    presentedMs,
  };
}

const LONG_TASK_REPEATS = 3;

type Task = { cpuMs: number; wallMs: number };
const typical = (tasks: Task[]): Task => ({
  cpuMs: median(ascending(tasks.map((task) => task.cpuMs))),
  wallMs: median(ascending(tasks.map((task) => task.wallMs))),
});

/**
 * At the largest inputs the validators accept (issue 11 item 15), the median over a few rounds
 * of the longest task (its wall and CPU time): End and one step on a MAX_EVENTS recording, and a
 * switch flipped in a share link of MAX_COMMANDS commands.
 */
async function largestInputs(page: Page, url: string) {
  await page.goto(`${url}#/recording`);
  await page.getByLabel('Open a capture or recording (.pcap, .pcapng, .json)').setInputFiles({
    name: 'largest.json',
    mimeType: 'application/json',
    buffer: largestRecording(),
  });
  await page.getByRole('heading', { name: 'largest.json' }).waitFor();
  const position = page.locator('.position');
  const at = (n: number) => position.getByText(`${n} / ${MAX_EVENTS}`, { exact: true }).waitFor();
  const ends: Task[] = [];
  const steps: Task[] = [];
  for (let round = 0; round < LONG_TASK_REPEATS; round++) {
    await page.keyboard.press('Home');
    await at(0);
    ends.push(await longestTask(page, () => page.keyboard.press('End').then(() => at(MAX_EVENTS))));
    steps.push(
      await longestTask(page, () =>
        page.keyboard.press('ArrowLeft').then(() => at(MAX_EVENTS - 1)),
      ),
    );
  }
  await page.goto(`${url}#${largestShareFragment()}`);
  await page.getByRole('region', { name: 'Outcome' }).waitFor();
  await page.waitForTimeout(1000);
  const helper = page.getByRole('checkbox', { name: FLIPS[0]!.name, exact: true });
  const flips: Task[] = [];
  for (let round = 0; round < LONG_TASK_REPEATS; round++)
    flips.push(await longestTask(page, () => helper.click()));
  return { end: typical(ends), step: typical(steps), flip: typical(flips) };
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
    const largest = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const longTasks = await largestInputs(largest, url);
    return { session, flips, longTasks };
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
    const { session, flips, longTasks } = await measureInChromium(`http://127.0.0.1:${port}/`);

    const work = ascending(session.frames.map((frame) => frame.workMs));
    const intervals = ascending(
      session.frames.map((frame) => frame.intervalMs).filter((ms) => !Number.isNaN(ms)),
    );
    const frameCpu = ascending(session.frameCpuMs);
    const redraw = ascending(flips.redrawMs);
    const redrawCpu = ascending(flips.cpuMs.filter((ms) => !Number.isNaN(ms)));
    const presented = ascending(flips.presentedMs);
    const frameP95 = percentile(work, 95);
    const frameCpuP95 = percentile(frameCpu, 95);
    const redrawMedian = median(redraw);
    const redrawCpuMedian = median(redrawCpu);
    const { end, step, flip } = longTasks;
    const lines = {
      // Other work on the machine (tests, builds) shows in every timing below.
      machine_load_1m: loadavg()[0]!.toFixed(2),
      machine_cpus: availableParallelism(),
      bundle_js_gzip_kb: sizes.jsKb.toFixed(1),
      bundle_css_gzip_kb: sizes.cssKb.toFixed(1),
      // Wall time on this machine now (the probe), then the main thread's CPU time (the trace):
      // the same on a quiet machine; under load the first grows, the second stays.
      frame_work_ms_p50: median(work).toFixed(2),
      frame_work_ms_p95: frameP95.toFixed(2),
      frame_cpu_ms_p50: median(frameCpu).toFixed(2),
      frame_cpu_ms_p95: frameCpuP95.toFixed(2),
      frame_interval_ms_p95: percentile(intervals, 95).toFixed(2),
      frames: work.length,
      frames_over_50ms: session.longFrames,
      playback_reached_end: session.ended,
      resim_redraw_ms_median: redrawMedian.toFixed(1),
      resim_redraw_ms_max: (redraw.at(-1) ?? NaN).toFixed(1),
      resim_redraw_cpu_ms_median: redrawCpuMedian.toFixed(1),
      resim_presented_ms_median: median(presented).toFixed(0),
      resim_flips: redraw.length,
      recording_events_max: MAX_EVENTS,
      recording_end_longtask_ms: end.wallMs.toFixed(0),
      recording_end_task_cpu_ms: end.cpuMs.toFixed(0),
      recording_step_longtask_ms: step.wallMs.toFixed(0),
      recording_step_task_cpu_ms: step.cpuMs.toFixed(0),
      share_commands_max: MAX_COMMANDS,
      max_share_flip_longtask_ms: flip.wallMs.toFixed(0),
      max_share_flip_task_cpu_ms: flip.cpuMs.toFixed(0),
      budget_bundle_js_gzip_kb: BUDGET.jsGzipKb,
      budget_frame_ms: BUDGET.frameMs,
      budget_resim_redraw_ms: BUDGET.resimRedrawMs,
      budget_longtask_ms: BUDGET.longTaskMs,
      within_budget_bundle_js: sizes.jsKb <= BUDGET.jsGzipKb,
      within_budget_frame_p95: frameP95 <= BUDGET.frameMs,
      within_budget_frame_cpu_p95: frameCpuP95 <= BUDGET.frameMs,
      within_budget_resim_redraw: redrawMedian <= BUDGET.resimRedrawMs,
      within_budget_resim_redraw_cpu: redrawCpuMedian <= BUDGET.resimRedrawMs,
      within_budget_recording_end: end.wallMs < BUDGET.longTaskMs,
      within_budget_recording_end_cpu: end.cpuMs < BUDGET.longTaskMs,
      within_budget_recording_step: step.wallMs < BUDGET.longTaskMs,
      within_budget_recording_step_cpu: step.cpuMs < BUDGET.longTaskMs,
      within_budget_max_share_flip: flip.wallMs < BUDGET.longTaskMs,
      within_budget_max_share_flip_cpu: flip.cpuMs < BUDGET.longTaskMs,
    };
    for (const [key, value] of Object.entries(lines)) console.log(`${key}=${value}`);
  } finally {
    await server?.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

await main();
