/** The signed-in session: a bearer token kept in sessionStorage (gone with the tab), with its expiry. */
export interface Session {
  token: string;
  expiresAt: number;
}

const KEY = 'assistant.session';

export function loadSession(storage: Storage = sessionStorage, now = Date.now()): Session | null {
  try {
    const session = JSON.parse(storage.getItem(KEY) ?? 'null') as Session | null;
    return session && session.expiresAt > now ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(token: string, expiresInSeconds: number, storage: Storage = sessionStorage): Session {
  const session = { token, expiresAt: Date.now() + expiresInSeconds * 1000 };
  storage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function clearSession(storage: Storage = sessionStorage): void {
  storage.removeItem(KEY);
}
