import { randomUUID } from 'node:crypto';
import type { Conversation, Turn } from '../../../../core/model/conversation.js';
import { emptyDialogueState } from '../../../../core/model/dialogue-state.js';
import type { AppendExchange } from '../../../../core/ports/conversation-store.js';

/** Conversations, turns and exchanges for the DynamoDB store's own tests, all stamped at one instant. */
export const at = '2026-03-01T09:30:00.000Z';
export const newConversation = (userId = `user-${randomUUID()}`, id = `conv-${randomUUID()}`): Conversation => ({
  id,
  userId,
  createdAt: at,
  updatedAt: at,
  version: 0,
  turnCount: 0,
  state: emptyDialogueState(),
});
export const turn = (id: string): Turn => ({ id, role: 'user', text: `text of ${id}`, at });
export const exchangeFor = (c: Conversation, expectedVersion: number, ...turnIds: string[]): AppendExchange => ({
  userId: c.userId,
  conversationId: c.id,
  expectedVersion,
  turns: turnIds.map(turn),
  state: emptyDialogueState(),
  at,
});
