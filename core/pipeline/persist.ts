import type { Conversation, Turn } from '../model/conversation.js';
import type { DialogueState } from '../model/dialogue-state.js';
import type { ConversationStore } from '../ports/conversation-store.js';

/** Appends the user and assistant turns and the new dialogue state in one atomic, version-checked write. */
export function persist(
  store: ConversationStore,
  conversation: Conversation,
  turns: readonly [Turn, Turn],
  state: DialogueState,
  at: string,
): Promise<Conversation> {
  const title = conversation.title ?? titleFrom(turns[0].text);
  return store.appendExchange({
    userId: conversation.userId,
    conversationId: conversation.id,
    expectedVersion: conversation.version,
    turns,
    state,
    at,
    ...(conversation.title === undefined && { title }),
  });
}

function titleFrom(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= 60 ? clean : `${clean.slice(0, 57)}...`;
}
