import type { FastifyServerOptions } from 'fastify';
import { typeBoxValidatorCompiler } from './validator-compiler.js';

/**
 * When each route's validators (TypeBox) and response serializers (fast-json-stringify) are compiled: all at start
 * (the server, which then answers its first requests at full speed), or each on its first use (the Lambda API, whose
 * cold start would otherwise compile every route while its first request needs one).
 */
export type SchemaCompilation = 'at-start' | 'on-first-use';

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type BuildValidator = NonNullable<NonNullable<SchemaController['compilersFactory']>['buildValidator']>;

/**
 * Fastify's compilers, given to it rather than left to its defaults: validation is TypeBox's (so Fastify never loads
 * its Ajv compiler, which the Lambda bundle leaves out), serialization is Fastify's own fast-json-stringify compiler,
 * imported here (a chunk of its own in a bundle). What is checked and how responses are shaped is unchanged; only the
 * moment each route's code is generated moves.
 */
export async function schemaController(when: SchemaCompilation): Promise<SchemaController> {
  // A CommonJS module: its function is the default export, under Node and in a bundle alike.
  const { default: SerializerSelector } = await import('@fastify/fast-json-stringify-compiler');
  const buildSerializer = SerializerSelector();
  const compile = when === 'on-first-use' ? onFirstUse : <A, F>(make: (route: A) => F) => make;
  return {
    compilersFactory: {
      // Typed after Ajv's compiler, but called with the same route definition setValidatorCompiler's compiler gets.
      buildValidator: () => compile(typeBoxValidatorCompiler) as unknown as ReturnType<BuildValidator>,
      buildSerializer: (externalSchemas, options) => compile(buildSerializer(externalSchemas, options)),
    },
  };
}

/** A compiler whose output is built on its first call, so a route that never runs never pays for it. */
function onFirstUse<A, F>(make: (route: A) => F): (route: A) => F {
  return (route) => {
    let built: F | undefined;
    return ((...args: unknown[]) => {
      built ??= make(route);
      return (built as (...args: unknown[]) => unknown)(...args);
    }) as F;
  };
}
