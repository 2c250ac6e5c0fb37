import { simulate } from '../../scenario/simulate';
import type { SimulationAnswer, SimulationRequest } from './simulation';

// The page's own session, off the main thread: one scenario in, its whole result out (the trace's
// payload bytes are Uint8Arrays, which the structured clone keeps).
self.onmessage = (event: MessageEvent<SimulationRequest>) => {
  const { id, scenario } = event.data;
  let answer: SimulationAnswer;
  try {
    answer = { id, result: simulate(scenario) };
  } catch (error) {
    answer = { id, error: String(error) };
  }
  self.postMessage(answer);
};
