/**
 * A small progress bar on a TTY stream (stderr): `label [#####.....] 1234/5000 25%`, redrawn in place at most
 * every 100 ms. Silent when the stream is not a TTY (logs and pipes stay clean).
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {}

  /** Whether anything will be drawn. */
  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  /** Updates the bar; `force` redraws even within 100 ms (use for the last update). */
  update(label: string, done: number, total: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100 && done < total) return;
    this.lastDraw = now;
    const fraction = total <= 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * this.width);
    const bar = "#".repeat(filled) + ".".repeat(this.width - filled);
    this.stream.write(`\r${label} [${bar}] ${done}/${total} ${Math.floor(fraction * 100)}%`);
    this.drawn = true;
  }

  /** Ends the line (call once when done). */
  finish(): void {
    if (this.enabled && this.drawn) this.stream.write("\n");
    this.drawn = false;
  }
}
