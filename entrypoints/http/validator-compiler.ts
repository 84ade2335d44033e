import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import * as Value from 'typebox/value';

/** A query-string number as Value.Convert reads it to the same integer: plain decimal digits, no sign, no exponent. */
const DIGITS = /^(?:0|[1-9]\d{0,14})$/;
const SIMPLE_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

/**
 * TypeBox validation as @fastify/type-provider-typebox does it (bodies checked strictly; params, query strings and
 * headers converted from strings first), but it tries the value as it came before converting it. The provider's
 * compiler ran Value.Convert (a walk over the schema and the whole value, every header for a headers schema) on every
 * request, although path ids, absent query strings and headers are usually valid as they are; only a value that fails
 * is converted and checked again, so what passes and what is converted is unchanged.
 *
 * A query string of plain scalars (`?limit=10`) would always fail as it came (its numbers are strings): its numeric
 * fields written as plain digits are converted first, in place, as Value.Convert converts them (and as Fastify's own
 * Ajv coerces query strings, in place), so a valid query string is checked once; a copy of it (the query parser makes
 * an object without a prototype, a dictionary to V8) and a check that could only fail cost ~1 us a request. Value.Convert
 * still walks what then fails.
 */
export const typeBoxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const convert = httpPart !== 'body';
  const numeric = httpPart === 'querystring' ? numericFieldsOf(schema) : undefined;
  return (value: unknown) => {
    if (numeric && typeof value === 'object' && value !== null) digitsToNumbers(value, numeric);
    if (check.Check(value)) return { value };
    return refused(schema, check, convert, value);
  };
};

/** A check of one schema generated ahead of time: what TypeBox's compiled Check answers for it. */
export type GeneratedCheck = (value: unknown) => boolean;

/** The generated check of a route schema, when there is one (the Lambda bundle carries them). */
export type GeneratedChecks = (schema: TSchema) => GeneratedCheck | undefined;

/**
 * typeBoxValidatorCompiler with checks generated ahead of time: a value a schema's generated check accepts as it
 * came (or after the in-place conversion of a query string's digits) is accepted without TypeBox's compiler; a value
 * it refuses, and any schema without a generated check, goes to TypeBox as above (compiled on that first need), so
 * what is converted, accepted and reported is the same.
 */
export function validatorCompiler(generated: GeneratedChecks): FastifySchemaCompiler<TSchema> {
  return (route) => {
    const check = generated(route.schema);
    if (!check) return typeBoxValidatorCompiler(route);
    const { schema, httpPart } = route;
    const convert = httpPart !== 'body';
    const numeric = httpPart === 'querystring' ? numericFieldsOf(schema) : undefined;
    let compiled: Validator | undefined;
    return (value: unknown) => {
      if (numeric && typeof value === 'object' && value !== null) digitsToNumbers(value, numeric);
      if (check(value)) return { value };
      return refused(schema, (compiled ??= Compile(schema)), convert, value);
    };
  };
}

type Validator = ReturnType<typeof Compile<TSchema>>;

/** A value the check refused as it came: converted and checked again (not a body), else TypeBox's errors. */
function refused(schema: TSchema, check: Validator, convert: boolean, value: unknown) {
  if (convert) {
    const converted = Value.Convert(schema, value);
    if (check.Check(converted)) return { value: converted };
    return { error: check.Errors(converted) as never };
  }
  return { error: check.Errors(value) as never };
}

/**
 * The integer and number fields of an object schema whose every field is a plain scalar (for which Value.Convert
 * changes nothing that already passes but strings of digits in number fields); undefined for any other schema.
 */
function numericFieldsOf(schema: TSchema): readonly string[] | undefined {
  const { type, properties } = schema as { type?: unknown; properties?: Record<string, Record<string, unknown>> };
  if (type !== 'object' || !properties) return undefined;
  const numeric: string[] = [];
  for (const [key, field] of Object.entries(properties)) {
    const kinds = Object.keys(field).filter((k) => ['anyOf', 'oneOf', 'allOf', 'not', 'enum', 'const'].includes(k));
    if (typeof field.type !== 'string' || !SIMPLE_TYPES.has(field.type) || kinds.length > 0) return undefined;
    if (field.type === 'integer' || field.type === 'number') numeric.push(key);
  }
  return numeric.length > 0 ? numeric : undefined;
}

/** Replaces the plain-digit strings of `value`'s numeric fields by their numbers. */
function digitsToNumbers(value: object, numeric: readonly string[]): void {
  for (const key of numeric) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field === 'string' && DIGITS.test(field)) (value as Record<string, unknown>)[key] = Number(field);
  }
}
