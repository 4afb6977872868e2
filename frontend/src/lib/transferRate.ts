/** How fast an upload goes, smoothed so the figure shown does not jump with every progress event. */
export class TransferRate {
  private last: { time: number; loaded: number } | null = null;
  private bytesPerSecond = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    /** After this long, a new speed counts for half of the figure. */
    private readonly halfLifeMs = 3000,
  ) {}

  /** Takes the bytes sent so far; answers the smoothed speed in bytes per second. */
  sample(loaded: number): number {
    const time = this.now();
    const last = this.last;
    this.last = { time, loaded };
    if (!last || loaded < last.loaded) return this.bytesPerSecond;
    const elapsed = time - last.time;
    if (elapsed <= 0) return this.bytesPerSecond;
    const current = ((loaded - last.loaded) / elapsed) * 1000;
    const keep = this.bytesPerSecond === 0 ? 0 : 2 ** (-elapsed / this.halfLifeMs);
    this.bytesPerSecond = current + (this.bytesPerSecond - current) * keep;
    return this.bytesPerSecond;
  }

  /** Forgets the past (after a pause): the next samples set the pace again. */
  reset(): void {
    this.last = null;
    this.bytesPerSecond = 0;
  }
}

/** Seconds until `remaining` bytes are sent at `bytesPerSecond`, or null while the speed is unknown. */
export function secondsLeft(remaining: number, bytesPerSecond: number): number | null {
  if (bytesPerSecond <= 0 || !Number.isFinite(bytesPerSecond)) return null;
  return Math.max(0, Math.ceil(remaining / bytesPerSecond));
}
