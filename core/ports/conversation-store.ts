import type {
  Conversation,
  ConversationKey,
  ConversationSummary,
  Page,
  PageRequest,
  Turn,
} from '../model/conversation.js';
import type { DialogueState } from '../model/dialogue-state.js';
import type { DomainEvent } from '../model/events.js';
import type { IoOptions } from '../model/io.js';

export interface AppendExchange {
  userId: string;
  conversationId: string;
  /** The version the writer read; the append fails with VersionConflictError if it moved. */
  expectedVersion: number;
  turns: readonly Turn[];
  state: DialogueState;
  at: string;
  title?: string;
  /**
   * The exchange's domain events, written in the same atomic write as the turns (the store's outbox) and delivered
   * from there by its EventRelay, in this order; a failed append writes none of them.
   */
  events?: readonly DomainEvent[];
}

export interface ConversationStoreCapabilities {
  /** Survives a process restart. */
  durable: boolean;
  /** Removes conversations after a retention period by itself. */
  ttl: boolean;
}

/**
 * Conversations and their turns, always scoped to a user: a conversation of another user is reported as absent.
 * `appendExchange` writes every turn, the new state and the exchange's events or nothing.
 */
export interface ConversationStore {
  readonly capabilities: ConversationStoreCapabilities;
  create(request: { conversation: Conversation } & IoOptions): Promise<void>;
  get(request: ConversationKey & IoOptions): Promise<Conversation | undefined>;
  appendExchange(exchange: AppendExchange & IoOptions): Promise<Conversation>;
  /** The last `limit` turns, oldest first. */
  recentTurns(request: ConversationKey & { limit: number } & IoOptions): Promise<Turn[]>;
  /** Turns oldest first, paginated by an opaque cursor. */
  turns(request: ConversationKey & PageRequest & IoOptions): Promise<Page<Turn>>;
  /** The user's conversations, most recently updated first. */
  list(request: { userId: string } & PageRequest & IoOptions): Promise<Page<ConversationSummary>>;
  delete(request: ConversationKey & IoOptions): Promise<boolean>;
  /** Removes every conversation and turn of the user; returns how many conversations were removed. */
  deleteAllForUser(request: { userId: string } & IoOptions): Promise<number>;
}
