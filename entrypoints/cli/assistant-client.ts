import type { TurnReply } from '../../core/model/turn.js';
import type { Assistant } from '../composition/container.js';

/** What the CLI needs from an assistant, whether it runs in this process or behind a server. */
export interface AssistantClient {
  createConversation(): Promise<string>;
  turn(conversationId: string, text: string, speech: boolean): Promise<ClientReply>;
  close(): Promise<void>;
}

export interface ClientReply {
  text: string;
  intent: string;
  skill?: string;
  route: string;
  endConversation: boolean;
  audio?: { data: Uint8Array; format: string };
  speechError?: string;
  data?: Record<string, unknown>;
  timings: Record<string, number>;
}

/** Runs turns through an assistant composed in this process. */
export class InProcessClient implements AssistantClient {
  constructor(
    private readonly assistant: Assistant,
    private readonly userId: string,
  ) {}

  async createConversation(): Promise<string> {
    return (await this.assistant.conversations.create(this.userId)).id;
  }

  async turn(conversationId: string, text: string, speech: boolean): Promise<ClientReply> {
    const reply: TurnReply = await this.assistant.handleTurn({
      userId: this.userId,
      conversationId,
      input: { kind: 'text', text },
      ...(speech && { speech: { format: 'wav' } }),
    });
    return {
      text: reply.text,
      intent: reply.intent,
      route: reply.route,
      endConversation: reply.endConversation,
      timings: reply.timings,
      ...(reply.skill && { skill: reply.skill }),
      ...(reply.data && { data: reply.data }),
      ...(reply.audio && { audio: { data: reply.audio.data, format: reply.audio.format } }),
      ...(reply.speechError && { speechError: reply.speechError }),
    };
  }

  close(): Promise<void> {
    return this.assistant.close();
  }
}

/** Runs turns against a running server's REST API. */
export class HttpClient implements AssistantClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async createConversation(): Promise<string> {
    const body = (await this.request('POST', '/v1/conversations', {})) as { id: string };
    return body.id;
  }

  async turn(conversationId: string, text: string, speech: boolean): Promise<ClientReply> {
    const body = (await this.request('POST', `/v1/conversations/${encodeURIComponent(conversationId)}/turns`, {
      text,
      ...(speech && { speech: { format: 'wav' } }),
    })) as Omit<ClientReply, 'audio'> & { audio?: { data: string; format: string } };
    const { audio, ...rest } = body;
    return { ...rest, ...(audio && { audio: { data: Buffer.from(audio.data, 'base64'), format: audio.format } }) };
  }

  async close(): Promise<void> {}

  private async request(method: string, path: string, body: unknown): Promise<unknown> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const payload = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
    if (!response.ok)
      throw new Error(`${response.status} ${payload.title ?? response.statusText}: ${payload.detail ?? ''}`.trim());
    return payload;
  }
}
