import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify';
import type { TSchema } from 'typebox';
import { typeBoxValidatorCompiler, validatorCompiler, type GeneratedChecks } from './validator-compiler.js';

/**
 * When each route's validators (TypeBox) and response serializers (fast-json-stringify) are compiled: all at start
 * (the server, which then answers its first requests at full speed), or each on its first use (the Lambda API, whose
 * cold start would otherwise compile every route while its first request needs one).
 */
export type SchemaCompilation = 'at-start' | 'on-first-use';

/** A response serializer: what fast-json-stringify makes of a route's response schema. */
export type Serializer = (value: unknown) => string;

/**
 * Serializers generated ahead of time (fast-json-stringify's standalone code, keyed by `serializerKey`), each
 * evaluated on first use: the Lambda bundle carries them, so fast-json-stringify never generates code at run time.
 */
export type PrecompiledSerializers = Readonly<Record<string, () => Serializer>>;

/** Where response serializers come from when not from fast-json-stringify at run time. */
export type SerializerSource =
  /** Generated ahead of time (the Lambda bundle). */
  | { precompiled: PrecompiledSerializers }
  /** Generated now and handed over as standalone code (the bundler, which writes them into the bundle). */
  | { store: (key: string, code: string) => void };

/** A part of a request a route validates, as Fastify hands it to the validator compiler. */
export interface ValidatedPart {
  schema: TSchema;
  httpPart?: string;
  method?: string;
  url?: string;
}

/** Where route validators' checks come from when not from TypeBox's compiler at run time. */
export type ValidatorSource =
  /** Generated ahead of time (the Lambda bundle); a schema without one is compiled by TypeBox as usual. */
  | { generated: GeneratedChecks }
  /** Each schema part the compiler is asked for, handed over (the bundler, which generates their checks). */
  | { store: (part: ValidatedPart) => void };

/** What Fastify tells a serializer compiler about the response it serializes. */
export interface ResponseRoute {
  method: string;
  url: string;
  httpStatus: string;
  contentType?: string;
}

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type CompilersFactory = NonNullable<SchemaController['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;

/** The one key of a response's serializer, the same when it is generated and when it is looked up. */
export function serializerKey(route: ResponseRoute): string {
  return [route.method, route.url, route.httpStatus, route.contentType ?? ''].join(' ');
}

/**
 * Fastify's compilers, given to it rather than left to its defaults: validation is TypeBox's (so Fastify never loads
 * its Ajv compiler, which the Lambda bundle leaves out), serialization is Fastify's own fast-json-stringify compiler,
 * imported here (a chunk of its own in a bundle), or its output generated ahead of time. What is checked and how
 * responses are shaped is unchanged; only the moment each route's code is generated moves.
 */
export async function schemaController(
  when: SchemaCompilation,
  serializers?: SerializerSource,
  validators?: ValidatorSource,
): Promise<SchemaController> {
  const compile = when === 'on-first-use' ? onFirstUse : <A, F>(make: (route: A) => F) => make;
  const validator = validatorFrom(validators);
  return {
    compilersFactory: {
      // Typed after Ajv's compiler, but called with the same route definition setValidatorCompiler's compiler gets.
      buildValidator: () => compile(validator) as unknown as ReturnType<BuildValidator>,
      buildSerializer:
        serializers && 'precompiled' in serializers
          ? precompiledSerializers(serializers.precompiled)
          : await fastJsonStringify(compile, serializers),
    },
  };
}

/** TypeBox's compiler, with the checks generated ahead of time, or telling the bundler each schema part it compiles. */
function validatorFrom(validators: ValidatorSource | undefined): FastifySchemaCompiler<TSchema> {
  if (!validators) return typeBoxValidatorCompiler;
  if ('generated' in validators) return validatorCompiler(validators.generated);
  const { store } = validators;
  return (route) => {
    store(route);
    return typeBoxValidatorCompiler(route);
  };
}

/** A missing serializer fails the start (each route is looked up as it is registered), not a request. */
function precompiledSerializers(precompiled: PrecompiledSerializers): BuildSerializer {
  return () => (route: ResponseRoute) => {
    const key = serializerKey(route);
    const restore = precompiled[key];
    if (!restore) throw new Error(`no precompiled serializer for ${key}: the bundle is older than the routes`);
    let serializer: Serializer | undefined;
    return (value: unknown) => (serializer ??= restore())(value);
  };
}

async function fastJsonStringify(
  compile: <A, F>(make: (route: A) => F) => (route: A) => F,
  serializers: { store: (key: string, code: string) => void } | undefined,
): Promise<BuildSerializer> {
  // A CommonJS module: its function is the default export, under Node and in a bundle alike.
  const { default: compilers } = await import('@fastify/fast-json-stringify-compiler');
  if (!serializers) {
    const buildSerializer = compilers.SerializerSelector();
    return (externalSchemas, options) => compile(buildSerializer(externalSchemas, options));
  }
  const { store } = serializers;
  const buildStandalone = compilers.StandaloneSerializer({
    readMode: false,
    storeFunction: (route, code) => store(serializerKey(route), code),
  });
  // Validators a serializer needs (anyOf) are generated inline, so the code needs no Ajv when it runs.
  return (externalSchemas, options) => buildStandalone(externalSchemas, { ...options, inlineValidators: true });
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
