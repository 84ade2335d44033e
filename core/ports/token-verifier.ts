/** Who is calling, as proven by a verified token. */
export interface Identity {
  userId: string;
  scopes: readonly string[];
}

export interface TokenVerifier {
  /** Resolves the caller's identity or throws UnauthenticatedError; never trusts an unverified claim. */
  verify(token: string): Promise<Identity>;
}
