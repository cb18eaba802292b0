/** A one-line progress report on a TTY (stderr): done/total, rate, ETA. Rewritten at most every 200 ms. */
export class ProgressLine {
  private last = 0;
  private readonly started = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly total: number | undefined,
    private readonly unit = 'B',
  ) {}

  update(done: number, events: number): void {
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = Math.round(events / seconds);
    let text = `${events.toLocaleString('en')} events, ${rate.toLocaleString('en')}/s`;
    if (this.total !== undefined && this.total > 0) {
      const fraction = Math.min(done / this.total, 1);
      const width = 24;
      const filled = Math.round(fraction * width);
      const eta = fraction > 0 ? Math.round(seconds / fraction - seconds) : 0;
      text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% ${text}, ETA ${eta}s`;
    } else {
      text = `${(done / 1048576).toFixed(1)} Mi${this.unit} read, ${text}`;
    }
    this.out.write(`\r${text}\u001b[K`);
  }

  done(): void {
    this.out.write('\r\u001b[K');
  }
}
