import type { GeneratedChecks } from '../../http/validator-compiler.js';

/**
 * The API's route checks, generated from its routes when the bundle is built (scripts/precompile-validators.ts):
 * scripts/bundle-lambda.ts replaces this module with them, so a request whose input is valid never loads TypeBox's
 * compiler. Run from source there are none, and TypeBox compiles every validator.
 */
export const precompiledValidators: GeneratedChecks | undefined = undefined;
