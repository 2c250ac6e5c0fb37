import type { WhatIfRequest } from './what-if';
import { answerWhatIf } from './what-if-answer';

// The what-if simulations, off the main thread: one request in, one answer out.
self.onmessage = (event: MessageEvent<WhatIfRequest>) => {
  self.postMessage(answerWhatIf(event.data));
};
