/** Who is calling, as proven by a verified token. */
export interface Identity {
  userId: string;
  scopes: readonly string[];
}
