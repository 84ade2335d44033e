import type { SecurityHeaders } from '../../http/plugins/security-headers.js';

/**
 * The API's security headers (`helmetHeaders(API_HELMET_OPTIONS)`), worked out when the bundle is built:
 * scripts/bundle-lambda.ts replaces this module with them, so a cold start does not run helmet. Run from source there
 * are none, and the app works them out at start.
 */
export const precompiledSecurityHeaders: SecurityHeaders | undefined = undefined;
