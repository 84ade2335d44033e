import type { Conversation, ConversationSummary, Page } from '../../core/conversation/conversation.js';
import { ValidationError } from '../../core/errors.js';

export function encodeCursor(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw new ValidationError('invalid cursor');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export function summarize(conversation: Conversation): ConversationSummary {
  return {
    id: conversation.id,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    turnCount: conversation.turnCount,
    ...(conversation.title !== undefined && { title: conversation.title }),
  };
}

/** Newest first by `updatedAt`, then id; the cursor is the sort key of the last item returned. */
export function pageOf(summaries: ConversationSummary[], page: { limit: number; cursor?: string }): Page<ConversationSummary> {
  const sortKey = (s: ConversationSummary) => `${s.updatedAt}\u0000${s.id}`;
  const sorted = summaries.sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1));
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  const rest = after === undefined ? sorted : sorted.filter((s) => sortKey(s) < after);
  const items = rest.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, ...(last && rest.length > items.length && { nextCursor: encodeCursor(sortKey(last)) }) };
}
