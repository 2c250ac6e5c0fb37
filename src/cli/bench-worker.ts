import { parentPort, workerData } from 'node:worker_threads';
import { simulate } from '../scenario/simulate';
import { matrixScenarios } from './matrix';

/**
 * One worker of the parallel matrix benchmark: simulates every `stride`-th scenario of the matrix,
 * starting at `offset`, each time the main thread asks, and answers when done.
 */
const { offset, stride } = workerData as { offset: number; stride: number };
const mine = matrixScenarios().filter((_, index) => index % stride === offset);

parentPort?.on('message', () => {
  for (const scenario of mine) simulate(scenario);
  parentPort?.postMessage(mine.length);
});
