import type { IoOptions } from '../model/io.js';

export interface Cache {
  get<T = unknown>(request: { key: string } & IoOptions): Promise<T | undefined>;
  /** Stores a JSON-serialisable value for `ttlSeconds`. */
  set(request: { key: string; value: unknown; ttlSeconds: number } & IoOptions): Promise<void>;
  delete(request: { key: string } & IoOptions): Promise<void>;
}
