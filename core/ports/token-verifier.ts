import type { Identity } from '../model/identity.js';
import type { IoOptions } from '../model/io.js';

export interface TokenVerifier {
  /** Resolves the caller's identity or throws UnauthenticatedError; never trusts an unverified claim. */
  verify(request: { token: string } & IoOptions): Promise<Identity>;
  /**
   * The identity of a token this verifier has verified before and would accept now without checking it again, or
   * undefined (then call `verify`). Synchronous, so a caller can skip a promise per request for a known token;
   * optional, for verifiers that remember nothing.
   */
  knownIdentity?(token: string): Identity | undefined;
}
