// A bounded sample of values with exact count, mean and max: reservoir sampling (Algorithm R) beyond `cap`, so
// percentiles stay unbiased over millions of tokens without unbounded memory.

export class Sample {
  constructor(cap = 1_000_000) {
    this.cap = cap;
    this.values = new Float64Array(Math.min(cap, 1024));
    this.kept = 0;
    this.count = 0;
    this.sum = 0;
    this.max = -Infinity;
    this.min = Infinity;
  }

  add(value) {
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
    if (value < this.min) this.min = value;
    if (this.kept < this.cap) {
      if (this.kept === this.values.length) {
        const grown = new Float64Array(Math.min(this.cap, this.values.length * 2));
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.kept++] = value;
    } else {
      const j = Math.floor(Math.random() * this.count);
      if (j < this.cap) this.values[j] = value;
    }
  }

  /** { count, mean, p50, p90, p99, max, min } in the unit values were added in; null fields when empty. */
  summary() {
    if (this.count === 0) return { count: 0, mean: null, p50: null, p90: null, p99: null, max: null, min: null };
    const sorted = this.values.slice(0, this.kept).sort();
    const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
    const r = (x) => Math.round(x * 1000) / 1000;
    return { count: this.count, mean: r(this.sum / this.count), p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(this.max), min: r(this.min) };
  }
}
