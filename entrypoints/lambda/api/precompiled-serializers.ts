import type { PrecompiledSerializers } from '../../http/schema-compilers.js';

/**
 * The API's response serializers, generated from its routes when the bundle is built: scripts/bundle-lambda.ts
 * replaces this module with them, so the function never loads fast-json-stringify or Ajv. Run from source there are
 * none, and the app compiles its own.
 */
export const precompiledSerializers: PrecompiledSerializers | undefined = undefined;
