import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import * as Value from 'typebox/value';

/**
 * TypeBox validation as @fastify/type-provider-typebox does it (bodies checked strictly; params, query strings and
 * headers converted from strings first), but it tries the value as it came before converting it. The provider's
 * compiler ran Value.Convert (a walk over the schema and the whole value, every header for a headers schema) on every
 * request, although path ids, absent query strings and headers are usually valid as they are; only a value that fails
 * is converted and checked again, so what passes and what is converted is unchanged.
 */
export const typeBoxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const convert = httpPart !== 'body';
  return (value: unknown) => {
    if (check.Check(value)) return { value };
    if (convert) {
      const converted = Value.Convert(schema, value);
      if (check.Check(converted)) return { value: converted };
      return { error: check.Errors(converted) as never };
    }
    return { error: check.Errors(value) as never };
  };
};
