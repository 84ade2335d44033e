import { ConversationNotFoundError, ValidationError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { Telemetry } from '../ports/telemetry.js';
import type { Preferences, UserProfile } from '../model/profile.js';
import type { UserProfileStore } from '../ports/user-profile-store.js';
import { emptyDialogueState } from '../model/dialogue-state.js';
import { publishSafely } from '../pipeline/publish.js';
import type { Conversation, ConversationSummary, Page, PageRequest, Turn } from '../model/conversation.js';
import type { IoOptions } from '../model/io.js';
import { validatePreferences, type PreferencesReader } from './preferences.js';

export interface ConversationServiceDeps {
  conversations: ConversationStore;
  profiles: UserProfileStore;
  preferences: PreferencesReader;
  /** Where SessionStarted goes; absent when nothing takes events (EVENTS=none). */
  events?: EventPublisher;
  clock: Clock;
  telemetry: Telemetry;
  newId: () => string;
}

export interface ConversationService {
  create(userId: string, options?: { title?: string } & IoOptions): Promise<Conversation>;
  get(userId: string, conversationId: string, options?: IoOptions): Promise<Conversation>;
  history(userId: string, conversationId: string, page: PageRequest & IoOptions): Promise<Page<Turn>>;
  list(userId: string, page: PageRequest & IoOptions): Promise<Page<ConversationSummary>>;
  remove(userId: string, conversationId: string, options?: IoOptions): Promise<void>;
  getPreferences(userId: string, options?: IoOptions): Promise<Preferences>;
  updatePreferences(userId: string, changes: Partial<Preferences>, options?: IoOptions): Promise<Preferences>;
  /** Erases every conversation and the profile of the user. */
  forgetUser(userId: string, options?: IoOptions): Promise<{ conversations: number; profile: boolean }>;
}

/** The non-turn use cases: conversations, history, preferences and erasure, always scoped to the caller. */
export function createConversationService(deps: ConversationServiceDeps): ConversationService {
  const requireConversation = async (userId: string, conversationId: string, options: IoOptions = {}) => {
    const conversation = await deps.conversations.get({ userId, conversationId, signal: options.signal });
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    return conversation;
  };
  return {
    async create(userId, options = {}) {
      const at = deps.clock.now().toISOString();
      const conversation: Conversation = {
        id: deps.newId(),
        userId,
        createdAt: at,
        updatedAt: at,
        version: 0,
        turnCount: 0,
        state: emptyDialogueState(),
        ...(options.title !== undefined && { title: options.title }),
      };
      await deps.conversations.create({ conversation, signal: options.signal });
      await publishSafely(
        deps.events,
        [{ type: 'SessionStarted', id: deps.newId(), at, userId, conversationId: conversation.id }],
        deps.telemetry,
      );
      return conversation;
    },
    get: requireConversation,
    async history(userId, conversationId, page) {
      // Every store reads turns by user and conversation, so a page with turns proves the conversation is the
      // caller's: the header is read only for an empty or refused page, and its errors come first as before.
      let turns: Page<Turn>;
      try {
        turns = await deps.conversations.turns(Object.assign({}, page, { userId, conversationId }));
      } catch (error) {
        await requireConversation(userId, conversationId, page);
        throw error;
      }
      if (turns.items.length === 0) await requireConversation(userId, conversationId, page);
      return turns;
    },
    list: (userId, page) => deps.conversations.list({ ...page, userId }),
    async remove(userId, conversationId, options = {}) {
      if (!(await deps.conversations.delete({ userId, conversationId, signal: options.signal }))) {
        throw new ConversationNotFoundError(conversationId);
      }
    },
    getPreferences: (userId, options) => deps.preferences(userId, options),
    async updatePreferences(userId, changes, options = {}) {
      if (Object.keys(changes).length === 0) throw new ValidationError('no preference to change');
      validatePreferences(changes);
      const current = await deps.preferences(userId, options);
      const preferences = { ...current, ...changes };
      const profile: UserProfile = { userId, preferences, updatedAt: deps.clock.now().toISOString() };
      await deps.profiles.put({ profile, signal: options.signal });
      return preferences;
    },
    async forgetUser(userId, options = {}) {
      const conversations = await deps.conversations.deleteAllForUser({ userId, signal: options.signal });
      const profile = await deps.profiles.delete({ userId, signal: options.signal });
      return { conversations, profile };
    },
  };
}
