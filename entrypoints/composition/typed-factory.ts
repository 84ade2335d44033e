import type { Bind } from '@inversifyjs/strongly-typed';
import type { MapToResolvedValueInjectOptions } from 'inversify';

// Mirrors the library's own (unexported) binding-map type.
type BindingMap = Record<string | symbol, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- as the library has it

/** The value types of the binding keys `K`, in order. */
export type Resolved<M extends BindingMap, K extends readonly (keyof M)[]> = { -readonly [I in keyof K]: M[K[I]] };

/**
 * Binds `key` to a singleton built by `make` from the bindings `deps`, with the factory's parameters typed from the
 * binding map (inversify's own `toResolvedValue` cannot infer them from the keys). `deps` is checked twice: as keys of
 * the map, which types `make`, and as the inject options inversify expects for those types.
 */
export function bindFactory<
  M extends BindingMap,
  Key extends keyof M & (string | symbol),
  const K extends readonly (keyof M & (string | symbol))[],
>(
  bind: Bind<M>,
  key: Key,
  deps: K & MapToResolvedValueInjectOptions<Resolved<M, K>>,
  make: (...args: Resolved<M, K>) => M[Key] | Promise<M[Key]>,
) {
  return bind(key).toResolvedValue(make, deps).inSingletonScope();
}
