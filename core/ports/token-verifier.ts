import type { Identity } from '../model/identity.js';
import type { IoOptions } from '../model/io.js';

export interface TokenVerifier {
  /** Resolves the caller's identity or throws UnauthenticatedError; never trusts an unverified claim. */
  verify(request: { token: string } & IoOptions): Promise<Identity>;
}
