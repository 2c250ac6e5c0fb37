import type { Page } from '@playwright/test';
import type { Flip } from './bench-browser';

/**
 * Main-thread timing of a page in headless Chromium, shared by `npm run bench` (bench-browser.ts)
 * and the budgets end-to-end spec.
 *
 * Each task is read from Chromium's own trace with two durations: its wall time (what a learner
 * waits on this machine now) and its thread CPU time (the work itself). On a machine with a core
 * to spare the two are the same; on the project's 2 shared cores, with other programs running,
 * the wall time of a 40 ms task is anything from 40 to 300 ms, while its CPU time stays put. So
 * the budgets hold the CPU time, which a real regression still moves (the 20-command flip this
 * replaced was a task of 465 ms), and the bench prints both.
 */

export interface MainThreadTask {
  /** Trace clock, µs. */
  readonly start: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { type?: string } };
}

/**
 * The renderer's main-thread tasks while `act` runs; of them, the frames (the tasks that ran
 * requestAnimationFrame callbacks, then style, layout and paint); and when each click was dispatched.
 */
export async function traceMainThread(
  page: Page,
  act: () => Promise<void>,
  /** Only the tasks (no frames, no clicks): a much smaller trace. */
  tasksOnly = false,
): Promise<{ tasks: MainThreadTask[]; frames: MainThreadTask[]; clicks: number[] }> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) =>
    events.push(...(value as unknown as TraceEvent[])),
  );
  const complete = new Promise((done) => cdp.once('Tracing.tracingComplete', done));
  await cdp.send('Tracing.start', {
    categories: tasksOnly ? 'toplevel' : 'toplevel,devtools.timeline',
    transferMode: 'ReportEvents',
  });
  try {
    await act();
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
  }
  const main = new Set(
    events
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = (e: TraceEvent) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`);
  const tasks = events
    .filter((e) => onMain(e) && e.name === 'ThreadControllerImpl::RunTask')
    .map((e) => ({ start: e.ts, wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? 0) / 1000 }));
  const clicks = events
    .filter((e) => onMain(e) && e.name === 'EventDispatch' && e.args?.data?.type === 'click')
    .map((e) => e.ts);
  const animationFrames = events
    .filter((e) => onMain(e) && e.name === 'FireAnimationFrame')
    .map((e) => e.ts)
    .sort((a, b) => a - b);
  const frames = tasks.filter((task) => {
    const end = task.start + task.wallMs * 1000;
    return animationFrames.some((ts) => ts >= task.start && ts <= end);
  });
  return { tasks, frames, clicks };
}

/** The longest task from `act` until the page has been quiet a while: its CPU and wall time. */
export async function longestTask(
  page: Page,
  act: () => Promise<void>,
): Promise<{ cpuMs: number; wallMs: number }> {
  const { tasks } = await traceMainThread(
    page,
    async () => {
      await act();
      // Two frames and a pause: whatever the interaction set off has run.
      await page.evaluate(
        'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))',
      );
      await page.waitForTimeout(300);
    },
    true,
  );
  return {
    cpuMs: Math.max(0, ...tasks.map((task) => task.cpuMs)),
    wallMs: Math.max(0, ...tasks.map((task) => task.wallMs)),
  };
}

/** The CPU time of the main-thread tasks that ran within `wallMs` from the click at `click`. */
export function cpuWithin(tasks: readonly MainThreadTask[], click: number, wallMs: number): number {
  const end = click + wallMs * 1000;
  return tasks
    .filter((task) => task.start <= end && task.start + task.wallMs * 1000 >= click)
    .reduce((sum, task) => sum + task.cpuMs, 0);
}

/**
 * One flip of a switch, measured with bench-probe.js in the page: the wall time from the click to
 * the end of rendering the first frame with the new outcome and both drawings redrawn, and the
 * main thread's CPU time within it.
 */
export async function measureFlip(
  page: Page,
  click: () => Promise<void>,
): Promise<Flip & { cpuMs: number }> {
  let flip: Flip = { clickTime: NaN, redrawMs: NaN };
  const { tasks, clicks } = await traceMainThread(page, async () => {
    await page.evaluate(() => window.ftpLabBench!.measureNextClick());
    await click();
    flip = await page.evaluate(() => window.ftpLabBench!.flip!);
  });
  const start = clicks[0];
  const cpuMs =
    start === undefined || Number.isNaN(flip.redrawMs)
      ? NaN
      : cpuWithin(tasks, start, flip.redrawMs);
  return { ...flip, cpuMs };
}
