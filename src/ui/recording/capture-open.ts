import { readCaptureFile, type CaptureOpened, type CaptureReply } from './capture-file';

/**
 * Reads a capture in a Worker, calling `onProgress` with the fraction read; falls back to the
 * page itself where a Worker cannot start. Resolves with the result or the one-line reason.
 */
export function openCapture(
  bytes: ArrayBuffer,
  onProgress: (fraction: number) => void,
): Promise<CaptureOpened | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const onReply = (reply: CaptureReply) => {
      if (reply.type === 'progress') onProgress(reply.fraction);
      else resolve(reply.result);
    };
    const onPage = () => readCaptureFile(new Uint8Array(bytes), onReply);
    if (typeof Worker === 'undefined') {
      onPage();
      return;
    }
    let worker: Worker;
    try {
      worker = new Worker(new URL('./capture-worker.ts', import.meta.url), { type: 'module' });
    } catch {
      onPage();
      return;
    }
    worker.onmessage = (event: MessageEvent<CaptureReply>) => {
      onReply(event.data);
      if (event.data.type === 'done') worker.terminate();
    };
    worker.onerror = () => {
      worker.terminate();
      onPage();
    };
    // Copied rather than transferred: the page keeps its bytes for the fall-back.
    worker.postMessage(bytes);
  });
}
