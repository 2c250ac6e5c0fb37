import { readCaptureFile } from './capture-file';

// Reading a capture, off the main thread. In: the file itself (a Blob: posting it copies no bytes,
// and the worker reads it from disk) or, for the built-in example, its bytes. Out: progress
// reports and one result.
self.onmessage = async (event: MessageEvent<Blob | ArrayBuffer>) => {
  const data = event.data;
  const bytes = data instanceof ArrayBuffer ? data : await data.arrayBuffer();
  readCaptureFile(new Uint8Array(bytes), (reply) => self.postMessage(reply));
};
