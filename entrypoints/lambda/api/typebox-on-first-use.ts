import type * as ValueModule from 'typebox/value';
import type { GeneratedCheck, GeneratedChecks } from '../../http/validator-compiler.js';

/**
 * A schema's checker and default-filler, generated when the bundle is built (scripts/lambda-typebox.ts): TypeBox's
 * own standalone check code (`Code`) and the schema's top-level defaults, as Value.Check and Value.Default compute
 * them for the flat object schemas of the configuration.
 */
export interface GeneratedSchema {
  check(value: unknown): boolean;
  defaults(value: Record<string, unknown>): unknown;
}

/** What the Lambda API's bundle uses of `typebox/value`. */
export type ValueFunctions = Pick<typeof ValueModule, 'Check' | 'Convert' | 'Default' | 'Errors'>;

/** Convert's answer when the fast path cannot tell; TypeBox decides. */
const UNDECIDED = Symbol('undecided');
/** A property key `Guard.EntriesRegExp` turns into a RegExp matching that key and no other. */
const PLAIN_KEY = /^\w+$/;

/**
 * A key of a schema including its non-enumerable markers (`~kind`, `~optional`), the same when the bundle is built and
 * when the schema is built again at run time.
 */
export function schemaKey(schema: unknown): string {
  if (Array.isArray(schema)) return `[${schema.map(schemaKey).join(',')}]`;
  if (typeof schema !== 'object' || schema === null) return JSON.stringify(schema) ?? 'undefined';
  return `{${Object.getOwnPropertyNames(schema)
    .map((key) => `${JSON.stringify(key)}:${schemaKey((schema as Record<string, unknown>)[key])}`)
    .join(',')}}`;
}

/**
 * The route checks generated when the bundle was built, by schema key, each made on its first use: the check of a
 * schema built again at run time exactly as it was then, or none (TypeBox compiles it, as for any other schema).
 */
export function generatedChecks(makers: ReadonlyMap<string, () => GeneratedCheck>): GeneratedChecks {
  return (schema) => makers.get(schemaKey(schema))?.();
}

/**
 * `typebox/value` in the Lambda API's bundle: Check and Default of a schema generated at build time (the
 * configuration's) run that code, and Convert of a string to a number or an integer (or of a flat object of those and
 * strings) is worked out as TypeBox works it out; everything else, and every error listing, is TypeBox's own, loaded
 * by `load` on first use. So a cold start with a valid configuration never loads TypeBox's value and compile modules.
 */
export function valueOnFirstUse(
  generated: ReadonlyMap<string, GeneratedSchema>,
  load: () => ValueFunctions,
): ValueFunctions {
  const known = new WeakMap<object, GeneratedSchema | null>();
  const generatedFor = (schema: unknown): GeneratedSchema | undefined => {
    if (typeof schema !== 'object' || schema === null) return undefined;
    let found = known.get(schema);
    if (found === undefined) {
      found = generated.get(schemaKey(schema)) ?? null;
      known.set(schema, found);
    }
    return found ?? undefined;
  };
  const Check = ((...args: unknown[]) => {
    const found = args.length === 2 ? generatedFor(args[0]) : undefined;
    return found ? found.check(args[1]) : (load().Check as (...a: unknown[]) => boolean)(...args);
  }) as ValueFunctions['Check'];
  const Default = ((...args: unknown[]) => {
    const found = args.length === 2 && isPlainObject(args[1]) ? generatedFor(args[0]) : undefined;
    return found
      ? found.defaults(args[1] as Record<string, unknown>)
      : (load().Default as (...a: unknown[]) => unknown)(...args);
  }) as ValueFunctions['Default'];
  const Convert = ((...args: unknown[]) => {
    const converted = args.length === 2 ? convertFast(args[0], args[1]) : UNDECIDED;
    return converted !== UNDECIDED ? converted : (load().Convert as (...a: unknown[]) => unknown)(...args);
  }) as ValueFunctions['Convert'];
  const Errors = ((...args: unknown[]) =>
    (load().Errors as (...a: unknown[]) => unknown)(...args)) as ValueFunctions['Errors'];
  return { Check, Convert, Default, Errors };
}

/**
 * Value.Convert for what the configuration converts: a string to an Integer (`Math.trunc(+value)`) or a Number
 * (`+value`) when `+value` is finite, a string to a String (itself), and an Object (no `additionalProperties` schema,
 * plain keys) whose present properties are all such; UNDECIDED for anything else. Like Value.Convert, it converts the
 * object in place.
 */
export function convertFast(schema: unknown, value: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return UNDECIDED;
  const kind = (schema as { '~kind'?: unknown })['~kind'];
  if (kind === 'Object') return convertObjectFast(schema, value);
  if (typeof value !== 'string') return UNDECIDED;
  if (kind === 'String') return value;
  if (kind !== 'Integer' && kind !== 'Number') return UNDECIDED;
  const number = +value;
  if (!Number.isFinite(number)) return UNDECIDED;
  return kind === 'Integer' ? Math.trunc(number) : number;
}

interface ObjectSchema {
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
}

function convertObjectFast(schema: ObjectSchema, value: unknown): unknown {
  const { properties } = schema;
  if (!isPlainObject(value) || typeof properties !== 'object' || properties === null) return UNDECIDED;
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) return UNDECIDED;
  const keys = Object.keys(properties);
  if (!keys.every((key) => PLAIN_KEY.test(key))) return UNDECIDED;
  // Every property decided before any is written: an undecided one leaves the whole object to TypeBox, untouched.
  const updates: [string, unknown][] = [];
  for (const key of keys) {
    if (!Object.hasOwn(value, key)) continue;
    const property = properties[key] as Record<string, unknown>;
    if (property['~optional'] === true && value[key] === undefined) continue;
    const converted = convertFast(property, value[key]);
    if (converted === UNDECIDED) return UNDECIDED;
    updates.push([key, converted]);
  }
  for (const [key, converted] of updates) value[key] = converted;
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
