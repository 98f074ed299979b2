/**
 * Awaits `fn()` and returns a function that throws what it rejected with (or returns): chai's synchronous
 * `expect(fn).to.throw(...)` assertions then read the same for the async store as for a synchronous call.
 */
export async function settled(fn: () => Promise<unknown>): Promise<() => void> {
  try {
    await fn();
  } catch (error) {
    return () => {
      throw error;
    };
  }
  return () => {};
}
