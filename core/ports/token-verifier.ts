import type { Identity } from '../model/identity.js';

export interface TokenVerifier {
  /** Resolves the caller's identity or throws UnauthenticatedError; never trusts an unverified claim. */
  verify(token: string): Promise<Identity>;
}
