import { readCaptureFile } from './capture-file';

// Reading a capture, off the main thread: the file's bytes in (transferred), progress reports and
// one result out.
self.onmessage = (event: MessageEvent<ArrayBuffer>) => {
  readCaptureFile(new Uint8Array(event.data), (reply) => self.postMessage(reply));
};
