/**
 * An in-process, non-blocking lock over sets of keys: {@link tryAcquire} takes every key of a request at once, or
 * none when any of them is held. The operator service keys a proof request by its subject, its card key nullifier and
 * its signing certificate, so two requests for the same subject, card or person never run at the same time. Keys are
 * held in memory only, for the duration of one request.
 */
export class KeyedLock {
  private readonly held = new Set<string>();

  /**
   * Takes every key in `keys`, or none. Returns the release function, or undefined when a key is already held.
   * Releasing twice is harmless.
   */
  tryAcquire(keys: readonly string[]): (() => void) | undefined {
    const unique = [...new Set(keys)];
    if (unique.some((k) => this.held.has(k))) return undefined;
    for (const k of unique) this.held.add(k);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of unique) this.held.delete(k);
    };
  }

  /** How many keys are held now. */
  get size(): number {
    return this.held.size;
  }
}
