import { afterAll, afterEach } from 'vitest';

/**
 * Wraps a contract suite's factory so every adapter it makes is disposed: after each test, and once more after the
 * suite in case a test was interrupted before its afterEach could see what it created.
 */
export function managedFactory<T extends { dispose?: () => Promise<void> }>(make: () => Promise<T>): () => Promise<T> {
  const live = new Set<T>();
  const disposeAll = async () => {
    const made = [...live];
    live.clear();
    for (const handle of made) await handle.dispose?.();
  };
  afterEach(disposeAll);
  afterAll(disposeAll);
  return async () => {
    const handle = await make();
    live.add(handle);
    return handle;
  };
}

/** Collects every page of a cursor-paginated listing, failing instead of looping forever if a cursor never ends. */
export async function walkPages<T>(
  read: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>,
  maxPages: number,
): Promise<{ items: T[]; pages: T[][] }> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    if (pages.length === maxPages) throw new Error(`pagination did not end within ${maxPages} pages`);
    const page = await read(cursor);
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { items: pages.flat(), pages };
}
