import { readCaptureFile, type CaptureOpened, type CaptureReply } from './capture-file';

/**
 * Reads a capture in a Worker, calling `onProgress` with the fraction read; falls back to the
 * page itself where a Worker cannot start. Resolves with the result or the one-line reason.
 *
 * The file goes to the worker as the File it is, not as bytes: a Blob is posted by reference, so
 * the page neither reads 50 MB nor copies them (that was most of the time to open a big capture:
 * 950 of 1,068 ms, the worker's reading being the rest).
 */
export function openCapture(
  source: Blob | ArrayBuffer,
  onProgress: (fraction: number) => void,
): Promise<CaptureOpened | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const onReply = (reply: CaptureReply) => {
      if (reply.type === 'progress') onProgress(reply.fraction);
      else resolve(reply.result);
    };
    const onPage = async () => {
      const bytes = source instanceof ArrayBuffer ? source : await source.arrayBuffer();
      readCaptureFile(new Uint8Array(bytes), onReply);
    };
    if (typeof Worker === 'undefined') {
      void onPage();
      return;
    }
    let worker: Worker;
    try {
      worker = new Worker(new URL('./capture-worker.ts', import.meta.url), { type: 'module' });
    } catch {
      void onPage();
      return;
    }
    worker.onmessage = (event: MessageEvent<CaptureReply>) => {
      onReply(event.data);
      if (event.data.type === 'done') worker.terminate();
    };
    // A worker that cannot start (a strict policy, an old browser) leaves the reading to the page.
    worker.onerror = () => {
      worker.terminate();
      void onPage();
    };
    worker.postMessage(source);
  });
}
