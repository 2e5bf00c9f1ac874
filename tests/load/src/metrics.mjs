// Everything the driver measures on the client side, across all connections.
import { Sample } from './sample.mjs';

export class Metrics {
  constructor() {
    this.addedLatencyMs = new Sample();
    this.inServerMs = new Sample();
    this.wireMs = new Sample();
    this.firstTokenOverTtftMs = new Sample();
    this.startRunMs = new Sample();
    this.cancelToCompleteMs = new Sample();
    this.connectMs = new Sample();
    this.connectionsOpened = 0;
    this.connectionsFailed = 0;
    this.disconnects = 0;
    this.runsStarted = 0;
    this.runsCompleted = 0;
    this.runTimeouts = 0;
    this.runStatus = {};
    this.modelStatus = {};
    this.cancelsSent = 0;
    this.cancelsNotAccepted = 0;
    this.seqGaps = 0;
    this.seqDuplicates = 0;
    this.runsWithSeqProblems = 0;
    this.strayEvents = 0;
    this.eventsTotal = 0;
    this.tokenEventsTotal = 0;
    this.tokensTotal = 0;
    this.charsTotal = 0;
    this.unstampedTokenEvents = 0;
    this.negativeLatencies = 0;
    this.errorCount = 0;
    this.errors = [];
  }

  error(where, e) {
    this.errorCount++;
    if (this.errors.length < 20) this.errors.push(`${where}: ${e?.message ?? e}`);
  }

  /** Running totals for the sampler's time series. */
  counters() {
    return {
      connections: this.connectionsOpened - this.disconnects,
      runsStartedTotal: this.runsStarted,
      runsCompletedTotal: this.runsCompleted,
      tokenEventsTotal: this.tokenEventsTotal,
      tokensTotal: this.tokensTotal,
      charsTotal: this.charsTotal,
      errors: this.errorCount,
      seqGaps: this.seqGaps,
    };
  }
}
