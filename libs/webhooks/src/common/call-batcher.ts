interface Call<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Turns calls made close together into one batch, so N concurrent deliveries cost one database round
 * trip instead of N. A call alone goes out on the next turn of the event loop (no timer, no added
 * latency to speak of); calls that arrive while `maxRunning` batches are under way wait for the next.
 * Each caller gets its own item's result, or the batch's error.
 */
export class CallBatcher<I, O> {
  private pending: Call<I, O>[] = [];
  private scheduled = false;
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 100,
    private readonly maxRunning = 2,
  ) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.maxRunning || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.running < this.maxRunning && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.running += 1;
      this.run(batch.map((call) => call.item))
        .then(
          (results) => batch.forEach((call, i) => call.resolve(results[i])),
          (error: unknown) => batch.forEach((call) => call.reject(error)),
        )
        .finally(() => {
          this.running -= 1;
          this.schedule();
        });
    }
  }
}
