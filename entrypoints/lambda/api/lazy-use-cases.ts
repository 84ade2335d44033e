/**
 * Resolves a use case the first time it is called rather than at init, so a cold start and each route pay only for
 * the adapters (and SDK clients) they use: listing skills never builds the Bedrock or Polly client. A failed
 * resolution is not remembered, so the next call tries again.
 */
export function once<T>(resolve: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= resolve().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

type AsyncFunction = (...args: never[]) => Promise<unknown>;

/** A function standing for the one `resolve` yields. */
export function lazyFunction<F extends AsyncFunction>(resolve: () => Promise<F>): F {
  const get = once(resolve);
  return (async (...args: Parameters<F>) => (await get())(...args)) as F;
}

/** An object whose async methods stand for those of the one `resolve` yields. */
export function lazyMethods<T extends { [K in keyof T]: AsyncFunction }>(
  resolve: () => Promise<T>,
  methods: readonly (keyof T)[],
): T {
  const get = once(resolve);
  return Object.fromEntries(
    methods.map((name) => [name, async (...args: never[]) => ((await get())[name] as AsyncFunction)(...args)]),
  ) as T;
}
