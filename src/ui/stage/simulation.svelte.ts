import type { SimulationResult } from '../../scenario/simulate';
import type { Scenario } from '../../scenario/types';
import { LatestSimulation, askWorker } from './simulation';

/**
 * A page's session, simulated in a Web Worker (issue 12: simulate() and XState stay out of the
 * first load). `run(scenario)` asks for the latest scenario; `result` is its answer once it is in,
 * and `shown` keeps the last answer on the stage meanwhile (tens of ms), so a flip redraws once
 * instead of blanking. A scenario seen a moment ago is answered at once. One worker serves every
 * page and stays warm; if it cannot start, the page loads simulate() and runs it itself.
 */
export class Simulation {
  /** The answer to the latest scenario; null while it is being worked out. */
  result = $state.raw<SimulationResult | null>(null);
  /** The latest answer received (perhaps to an earlier scenario); null before the first. */
  shown = $state.raw<SimulationResult | null>(null);
  readonly #latest = new LatestSimulation();

  run(scenario: Scenario): void {
    const asked = this.#latest.ask(scenario);
    if (asked.kind === 'known') {
      this.result = this.shown = asked.result;
      return;
    }
    this.result = null;
    if (asked.kind === 'asked') return; // the earlier request's answer comes as the latest
    askWorker(asked.request, (id, result) => {
      const latest = this.#latest.receive(id, result);
      if (latest) this.result = this.shown = latest;
    });
  }
}
