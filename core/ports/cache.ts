export interface Cache {
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores a JSON-serialisable value for `ttlSeconds`. */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}
