import { ConversationNotFoundError, ValidationError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { Telemetry } from '../ports/telemetry.js';
import type { Preferences, UserProfile } from '../model/profile.js';
import type { UserProfileStore } from '../ports/user-profile-store.js';
import { emptyDialogueState } from '../model/dialogue-state.js';
import { publishSafely } from '../pipeline/publish.js';
import type { Conversation, ConversationSummary, Page, Turn } from '../model/conversation.js';
import { validatePreferences, type PreferencesReader } from './preferences.js';

export interface ConversationServiceDeps {
  conversations: ConversationStore;
  profiles: UserProfileStore;
  preferences: PreferencesReader;
  events: EventPublisher;
  clock: Clock;
  telemetry: Telemetry;
  newId: () => string;
}

export interface ConversationService {
  create(userId: string, options?: { title?: string }): Promise<Conversation>;
  get(userId: string, conversationId: string): Promise<Conversation>;
  history(userId: string, conversationId: string, page: { limit: number; cursor?: string }): Promise<Page<Turn>>;
  list(userId: string, page: { limit: number; cursor?: string }): Promise<Page<ConversationSummary>>;
  remove(userId: string, conversationId: string): Promise<void>;
  getPreferences(userId: string): Promise<Preferences>;
  updatePreferences(userId: string, changes: Partial<Preferences>): Promise<Preferences>;
  /** Erases every conversation and the profile of the user. */
  forgetUser(userId: string): Promise<{ conversations: number; profile: boolean }>;
}

/** The non-turn use cases: conversations, history, preferences and erasure, always scoped to the caller. */
export function createConversationService(deps: ConversationServiceDeps): ConversationService {
  const requireConversation = async (userId: string, conversationId: string) => {
    const conversation = await deps.conversations.get(userId, conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    return conversation;
  };
  return {
    async create(userId, options = {}) {
      const at = deps.clock.now().toISOString();
      const conversation: Conversation = {
        id: deps.newId(), userId, createdAt: at, updatedAt: at, version: 0, turnCount: 0, state: emptyDialogueState(),
        ...(options.title !== undefined && { title: options.title }),
      };
      await deps.conversations.create(conversation);
      await publishSafely(deps.events, [{ type: 'SessionStarted', id: deps.newId(), at, userId, conversationId: conversation.id }], deps.telemetry);
      return conversation;
    },
    get: requireConversation,
    async history(userId, conversationId, page) {
      await requireConversation(userId, conversationId);
      return deps.conversations.turns(userId, conversationId, page);
    },
    list: (userId, page) => deps.conversations.list(userId, page),
    async remove(userId, conversationId) {
      if (!(await deps.conversations.delete(userId, conversationId))) throw new ConversationNotFoundError(conversationId);
    },
    getPreferences: (userId) => deps.preferences(userId),
    async updatePreferences(userId, changes) {
      if (Object.keys(changes).length === 0) throw new ValidationError('no preference to change');
      validatePreferences(changes);
      const current = await deps.preferences(userId);
      const preferences = { ...current, ...changes };
      const profile: UserProfile = { userId, preferences, updatedAt: deps.clock.now().toISOString() };
      await deps.profiles.put(profile);
      return preferences;
    },
    async forgetUser(userId) {
      const conversations = await deps.conversations.deleteAllForUser(userId);
      const profile = await deps.profiles.delete(userId);
      return { conversations, profile };
    },
  };
}
