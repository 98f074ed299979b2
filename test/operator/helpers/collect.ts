/** Every item of an async iterable, in order (`Array.fromAsync` for the es2023 library types). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
