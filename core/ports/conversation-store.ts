import type { Conversation, ConversationSummary, Page, Turn } from '../model/conversation.js';
import type { DialogueState } from '../model/dialogue-state.js';

export interface AppendExchange {
  userId: string;
  conversationId: string;
  /** The version the writer read; the append fails with VersionConflictError if it moved. */
  expectedVersion: number;
  turns: readonly Turn[];
  state: DialogueState;
  at: string;
  title?: string;
}

export interface ConversationStoreCapabilities {
  /** Survives a process restart. */
  durable: boolean;
  /** Removes conversations after a retention period by itself. */
  ttl: boolean;
}

/**
 * Conversations and their turns, always scoped to a user: a conversation of another user is reported as absent.
 * `appendExchange` writes every turn and the new state or nothing.
 */
export interface ConversationStore {
  readonly capabilities: ConversationStoreCapabilities;
  create(conversation: Conversation): Promise<void>;
  get(userId: string, conversationId: string): Promise<Conversation | undefined>;
  appendExchange(exchange: AppendExchange): Promise<Conversation>;
  /** The last `limit` turns, oldest first. */
  recentTurns(userId: string, conversationId: string, limit: number): Promise<Turn[]>;
  /** Turns oldest first, paginated by an opaque cursor. */
  turns(userId: string, conversationId: string, page: { limit: number; cursor?: string }): Promise<Page<Turn>>;
  /** The user's conversations, most recently updated first. */
  list(userId: string, page: { limit: number; cursor?: string }): Promise<Page<ConversationSummary>>;
  delete(userId: string, conversationId: string): Promise<boolean>;
  /** Removes every conversation and turn of the user; returns how many conversations were removed. */
  deleteAllForUser(userId: string): Promise<number>;
}
