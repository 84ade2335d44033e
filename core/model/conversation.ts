import type { Sentiment } from './sentiment.js';
import type { DialogueState } from './dialogue-state.js';

export type Role = 'user' | 'assistant';

/** One utterance in a conversation, as stored. */
export interface Turn {
  id: string;
  role: Role;
  text: string;
  at: string;
  intent?: string;
  skill?: string;
  slots?: Record<string, string | number>;
  sentiment?: Sentiment;
  /** Skill data worth keeping with the reply (e.g. the track that started playing). */
  data?: Record<string, unknown>;
  /** On a user turn: the client's key for this request, so a retried request replays the stored reply. */
  idempotencyKey?: string;
  /** On an assistant turn: how the reply was produced, and whether it ended the conversation. */
  route?: 'skill' | 'ask' | 'llm';
  endConversation?: boolean;
  /** On an assistant turn: the user interrupted the reply, and `text` is only the part that reached them. */
  interrupted?: boolean;
}

/** The conversation's header: who owns it, its dialogue state and its optimistic-concurrency version. */
export interface Conversation {
  id: string;
  userId: string;
  title?: string;
  createdAt: string;
  updatedAt: string;
  /** Incremented by every appended exchange; writers pass the version they read. */
  version: number;
  turnCount: number;
  state: DialogueState;
}

export interface ConversationSummary {
  id: string;
  title?: string;
  createdAt: string;
  updatedAt: string;
  turnCount: number;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Addresses one conversation of one user; every store call is scoped to the owner. */
export interface ConversationKey {
  userId: string;
  conversationId: string;
}

/** One page of a listing: at most `limit` items, after the opaque `cursor` of the previous page. */
export interface PageRequest {
  limit: number;
  cursor?: string;
}
