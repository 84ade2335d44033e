import type {
  Conversation,
  ConversationKey,
  ConversationSummary,
  Page,
  PageRequest,
  Turn,
} from '../../core/model/conversation.js';
import type { IoOptions } from '../../core/model/io.js';
import { ConversationNotFoundError, ValidationError, VersionConflictError, throwIfAborted } from '../../core/errors.js';
import type { AppendExchange, ConversationStore } from '../../core/ports/conversation-store.js';
import { MemoryOutboxStore } from './memory-outbox-store.js';
import { plainCopy } from '../shared/plain-copy.js';
import { checkPageLimit, decodeTurnCursor, encodeTurnCursor, pageOf, summarize } from './paging.js';

interface Entry {
  conversation: Conversation;
  turns: Turn[];
}

export interface MemoryConversationStoreOptions {
  /** Where an exchange's events wait for the relay; a new one when not given. */
  outbox?: MemoryOutboxStore;
}

/**
 * Conversations in process memory: fast, lost on restart. Values are copied in and out so callers cannot mutate them.
 * An exchange's events go to the outbox in the same synchronous step as its turns, so both land or neither does.
 */
export class MemoryConversationStore implements ConversationStore {
  readonly capabilities = { durable: false, ttl: false };
  readonly outbox: MemoryOutboxStore;
  private readonly entries = new Map<string, Entry>();

  constructor(options: MemoryConversationStoreOptions = {}) {
    this.outbox = options.outbox ?? new MemoryOutboxStore();
  }

  async create({ conversation, signal }: { conversation: Conversation } & IoOptions): Promise<void> {
    throwIfAborted(signal);
    const key = this.key(conversation.userId, conversation.id);
    if (this.entries.has(key)) throw new ValidationError(`conversation ${conversation.id} already exists`);
    this.entries.set(key, { conversation: plainCopy(conversation), turns: [] });
  }

  async get({ userId, conversationId, signal }: ConversationKey & IoOptions): Promise<Conversation | undefined> {
    throwIfAborted(signal);
    const entry = this.entries.get(this.key(userId, conversationId));
    return entry && plainCopy(entry.conversation);
  }

  async appendExchange(exchange: AppendExchange & IoOptions): Promise<Conversation> {
    throwIfAborted(exchange.signal);
    const entry = this.entries.get(this.key(exchange.userId, exchange.conversationId));
    if (!entry) throw new ConversationNotFoundError(exchange.conversationId);
    if (entry.conversation.version !== exchange.expectedVersion) {
      throw new VersionConflictError(exchange.conversationId, exchange.expectedVersion);
    }
    // Object.assign rather than a literal that starts with a spread, which Node 20 runs slowly (core/pipeline/extend.ts).
    const conversation: Conversation = Object.assign({}, entry.conversation, {
      version: entry.conversation.version + 1,
      turnCount: entry.conversation.turnCount + exchange.turns.length,
      updatedAt: exchange.at,
      state: plainCopy(exchange.state),
      ...(exchange.title !== undefined && entry.conversation.title === undefined && { title: exchange.title }),
    });
    entry.turns.push(...plainCopy(exchange.turns));
    entry.conversation = conversation;
    if (exchange.events) this.outbox.add(exchange.events);
    return plainCopy(conversation);
  }

  async recentTurns(request: ConversationKey & { limit: number } & IoOptions): Promise<Turn[]> {
    const { userId, conversationId, limit, signal } = request;
    throwIfAborted(signal);
    if (!Number.isInteger(limit) || limit < 0) {
      throw new ValidationError(`recent turn limit must be a non-negative integer, got ${limit}`);
    }
    const entry = this.entries.get(this.key(userId, conversationId));
    return entry && limit > 0 ? plainCopy(entry.turns.slice(-limit)) : [];
  }

  async turns(request: ConversationKey & PageRequest & IoOptions): Promise<Page<Turn>> {
    const { userId, conversationId, signal, ...page } = request;
    throwIfAborted(signal);
    checkPageLimit(page.limit);
    const start = decodeTurnCursor(page.cursor);
    const entry = this.entries.get(this.key(userId, conversationId));
    if (!entry) return { items: [] };
    const items = entry.turns.slice(start, start + page.limit);
    const next = start + items.length;
    return { items: plainCopy(items), ...(next < entry.turns.length && { nextCursor: encodeTurnCursor(next) }) };
  }

  async list(request: { userId: string } & PageRequest & IoOptions): Promise<Page<ConversationSummary>> {
    const { userId, signal, ...page } = request;
    throwIfAborted(signal);
    const mine = [...this.entries.values()].map((e) => e.conversation).filter((c) => c.userId === userId);
    return pageOf(mine.map(summarize), page);
  }

  async delete({ userId, conversationId, signal }: ConversationKey & IoOptions): Promise<boolean> {
    throwIfAborted(signal);
    return this.entries.delete(this.key(userId, conversationId));
  }

  async deleteAllForUser({ userId, signal }: { userId: string } & IoOptions): Promise<number> {
    throwIfAborted(signal);
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.conversation.userId === userId) {
        this.entries.delete(key);
        removed += 1;
      }
    }
    // Events not yet relayed carry what the user said: erasure takes them too, as in the durable stores.
    this.outbox.forget((event) => event.userId === userId);
    return removed;
  }

  private key(userId: string, conversationId: string): string {
    return `${userId}\u0000${conversationId}`;
  }
}
