import { readSse } from './sse';

/** A failed request as the user should see it: the problem's detail, and what kind of failure it was. */
export class ApiError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'unauthenticated' | 'rate-limited' | 'problem',
    message: string,
    readonly status = 0,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ConversationSummary {
  id: string;
  title?: string;
  createdAt?: string;
  updatedAt?: string;
}
export interface Turn {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  data?: Record<string, unknown>;
}
export interface TurnReply {
  conversationId: string;
  turnId: string;
  text: string;
  heard: string;
  intent: string;
  skill?: string;
  data?: Record<string, unknown>;
}
export interface Preferences {
  voice?: string;
  language: string;
  units: 'metric' | 'imperial';
  timeZone: string;
  homeCity?: string;
}
export interface Skill {
  name: string;
  description?: string;
  intents: { name: string; utterances: string[] }[];
}
export interface StreamHandlers {
  heard?: (text: string) => void;
  delta?: (text: string) => void;
}

async function problemOf(response: Response): Promise<ApiError> {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { detail?: string; title?: string };
    detail = body.detail ?? body.title ?? detail;
  } catch {
    // Not a problem document; the status line stands.
  }
  if (response.status === 401) return new ApiError('unauthenticated', detail, 401);
  if (response.status === 429) {
    const retry = Number(response.headers.get('retry-after') ?? '');
    return new ApiError('rate-limited', detail, 429, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return new ApiError('problem', detail, response.status);
}

/** The REST API of /v1 with a bearer token; every failure is an ApiError. */
export class Api {
  constructor(
    private readonly token: string,
    private readonly base = '',
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
      });
    } catch {
      throw new ApiError('unreachable', 'The server cannot be reached. Check that it is running, then try again.');
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  async conversations(): Promise<ConversationSummary[]> {
    return (await this.json<{ items: ConversationSummary[] }>('/v1/conversations?limit=50')).items;
  }
  async createConversation(): Promise<ConversationSummary> {
    return this.json('/v1/conversations', { method: 'POST', body: '{}' });
  }
  async deleteConversation(id: string): Promise<void> {
    await this.request(`/v1/conversations/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
  async turns(id: string): Promise<Turn[]> {
    return (await this.json<{ items: Turn[] }>(`/v1/conversations/${encodeURIComponent(id)}/turns?limit=100`)).items;
  }
  async preferences(): Promise<Preferences> {
    return this.json('/v1/me/preferences');
  }
  async savePreferences(patch: Partial<Preferences>): Promise<Preferences> {
    return this.json('/v1/me/preferences', { method: 'PATCH', body: JSON.stringify(patch) });
  }
  async skills(): Promise<Skill[]> {
    const body = await this.json<{ items?: Skill[]; skills?: Skill[] } | Skill[]>('/v1/skills');
    return Array.isArray(body) ? body : (body.items ?? body.skills ?? []);
  }

  /** Sends a typed turn and reads the reply as server-sent events (heard, delta…, turn | error). */
  async sendTurn(conversationId: string, text: string, handlers: StreamHandlers = {}): Promise<TurnReply> {
    const response = await this.request(`/v1/conversations/${encodeURIComponent(conversationId)}/turns`, {
      method: 'POST',
      headers: { accept: 'text/event-stream' },
      body: JSON.stringify({ text }),
    });
    if (!response.headers.get('content-type')?.includes('text/event-stream') || !response.body)
      return (await response.json()) as TurnReply;
    for await (const event of readSse(response.body)) {
      const data = JSON.parse(event.data) as { text?: string; detail?: string; status?: number };
      if (event.event === 'heard') handlers.heard?.(data.text ?? '');
      else if (event.event === 'delta') handlers.delta?.(data.text ?? '');
      else if (event.event === 'turn') return data as unknown as TurnReply;
      else if (event.event === 'error')
        throw new ApiError('problem', data.detail ?? 'The assistant could not answer.', data.status ?? 500);
    }
    throw new ApiError('unreachable', 'The reply stopped before it was complete. Try again.');
  }
}

/** Signs in on the local profile: a local token for a user name. */
export async function localSignIn(user: string, base = ''): Promise<{ token: string; expiresIn: number }> {
  let response: Response;
  try {
    response = await fetch(`${base}/v1/local/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
  } catch {
    throw new ApiError('unreachable', 'The server cannot be reached. Check that it is running, then try again.');
  }
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as { token: string; expiresIn: number };
}

/** The track a music reply carries, if any: the first object with a streamUrl in its data. */
export function trackOf(data: unknown): { title?: string; artist?: string; streamUrl: string } | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  if (typeof record['streamUrl'] === 'string') return record as { title?: string; artist?: string; streamUrl: string };
  for (const value of Object.values(record)) {
    const found = trackOf(value);
    if (found) return found;
  }
  return undefined;
}

/** What to tell the user about a failure: the problem's detail, with the wait when rate-limited. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError && error.kind === 'rate-limited')
    return `${error.message}${error.retryAfterSeconds ? ` Try again in ${error.retryAfterSeconds} s.` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
