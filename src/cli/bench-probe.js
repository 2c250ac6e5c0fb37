// Runs inside the benchmarked page, before the app's own code: bench-browser.ts adds it with
// addInitScript. Plain JavaScript, because the page receives this file exactly as written (a
// TypeScript function would arrive with the helpers tsx adds to it, which the page lacks).
(() => {
  // A message posted during a frame's requestAnimationFrame callbacks is handled as the next task,
  // once that frame's style, layout and paint are done.
  const channel = new MessageChannel();
  /** @type {(() => void)[]} */
  let afterRender = [];
  channel.port1.onmessage = () => {
    const callbacks = afterRender;
    afterRender = [];
    for (const callback of callbacks) callback();
  };
  /** @param {() => void} callback */
  const whenFrameRendered = (callback) => {
    afterRender.push(callback);
    channel.port2.postMessage(null);
  };

  // This loop asks for its next frame before the app's animation tick does, so its callback runs
  // first in every frame: `start` is when the frame's main-thread work begins.
  let recording = false;
  /** @type {import('./bench-browser').Frame[]} */
  let frames = [];
  let previousFrameTime = 0;
  /** @param {number} frameTime */
  const loop = (frameTime) => {
    requestAnimationFrame(loop);
    if (recording) {
      const start = performance.now();
      const intervalMs = previousFrameTime ? frameTime - previousFrameTime : NaN;
      whenFrameRendered(() => frames.push({ workMs: performance.now() - start, intervalMs }));
    }
    previousFrameTime = frameTime;
  };
  requestAnimationFrame(loop);

  const outcomeHeading = () =>
    document
      .querySelector('[aria-label="Outcome"]')
      ?.querySelector('h1, h2, h3')
      ?.textContent?.trim() ?? '';

  /** @type {import('./bench-browser').Probe} */
  const probe = {
    longFrames: 0,
    flip: null,
    clickPaints: [],
    recordFramesFromNextClick() {
      frames = [];
      probe.longFrames = 0;
      addEventListener('click', () => (recording = true), { capture: true, once: true });
    },
    stopFrames() {
      recording = false;
      return frames;
    },
    measureNextClick() {
      const before = outcomeHeading();
      // The stage is redrawn when the outcome reads differently and both drawings have changed.
      const redrawn = new Set();
      /** @param {MutationRecord[]} records */
      const note = (records) => {
        for (const { target } of records) {
          const view = (target instanceof Element ? target : target.parentElement)?.closest(
            '[data-view="network"], [data-view="ladder"]',
          );
          if (view) redrawn.add(view.getAttribute('data-view'));
        }
      };
      const watch = new MutationObserver(note);
      probe.flip = new Promise((resolve) => {
        /** @param {Event} click */
        const onClick = (click) => {
          // From the input's own timestamp: a wait before the handlers ran counts too.
          const clickTime = click.timeStamp;
          watch.observe(document.body, {
            subtree: true,
            childList: true,
            attributes: true,
            characterData: true,
          });
          const checkNextFrame = () =>
            requestAnimationFrame(() =>
              whenFrameRendered(() => {
                const redrawMs = performance.now() - clickTime;
                note(watch.takeRecords());
                if (outcomeHeading() !== before && redrawn.size === 2) {
                  watch.disconnect();
                  resolve({ clickTime, redrawMs });
                } else if (redrawMs > 3000) {
                  watch.disconnect();
                  resolve({ clickTime, redrawMs: NaN });
                } else checkNextFrame();
              }),
            );
          checkNextFrame();
        };
        addEventListener('click', onClick, { capture: true, once: true });
      });
    },
  };

  // Frames of 50 ms or more, as Chromium itself reports them.
  new PerformanceObserver((list) => {
    if (recording) probe.longFrames += list.getEntries().length;
  }).observe({ type: 'long-animation-frame' });
  // The Event Timing API's view of each click: to the frame actually presented, raster included.
  // (A variable, not a literal: TypeScript's DOM types do not know durationThreshold yet.)
  const eventTiming = { type: 'event', durationThreshold: 16 };
  new PerformanceObserver((list) => {
    for (const { name, startTime, duration } of list.getEntries()) {
      if (name === 'click') probe.clickPaints.push({ startTime, duration });
    }
  }).observe(eventTiming);

  window.ftpLabBench = probe;
})();
