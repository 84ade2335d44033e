import type { Conversation, ConversationSummary, Page } from '../../core/model/conversation.js';
import { ValidationError } from '../../core/errors.js';

/** Where a conversation listing resumes: strictly after this (updatedAt, id) in newest-first order. */
export interface ListPosition {
  updatedAt: string;
  id: string;
}

/*
 * Cursors are base64url JSON tagged with their kind, so a cursor from one listing (or any other string) is
 * rejected as a ValidationError instead of silently returning a wrong page. The memory and SQLite stores share
 * these helpers, which keeps their cursors interchangeable.
 */
function encode(payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

function decode(cursor: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw new ValidationError('invalid cursor');
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new ValidationError('invalid cursor', { cause: error });
  }
  throw new ValidationError('invalid cursor');
}

/** Page sizes must be positive integers: a zero limit would hand back the same cursor forever. */
export function checkPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1)
    throw new ValidationError(`page limit must be a positive integer, got ${limit}`);
}

export function encodeTurnCursor(nextIndex: number): string {
  return encode({ k: 't', n: nextIndex });
}

/** The zero-based index of the first turn of the page. */
export function decodeTurnCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const { k, n } = decode(cursor);
  if (k !== 't' || typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ValidationError('invalid cursor');
  return n;
}

export function encodeListCursor(position: ListPosition): string {
  return encode({ k: 'c', u: position.updatedAt, i: position.id });
}

export function decodeListCursor(cursor: string | undefined): ListPosition | undefined {
  if (cursor === undefined) return undefined;
  const { k, u, i } = decode(cursor);
  if (k !== 'c' || typeof u !== 'string' || typeof i !== 'string') throw new ValidationError('invalid cursor');
  return { updatedAt: u, id: i };
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

/** Newest-first order: by `updatedAt` descending, ties broken by id descending (the SQLite index uses the same order). */
export function compareNewestFirst(a: ListPosition, b: ListPosition): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return 0;
}

/**
 * Newest first; the cursor is the position of the last item returned, so an item updated mid-walk moves ahead of the
 * cursor instead of repeating.
 */
export function pageOf(
  summaries: readonly ConversationSummary[],
  page: { limit: number; cursor?: string },
): Page<ConversationSummary> {
  checkPageLimit(page.limit);
  const after = decodeListCursor(page.cursor);
  const sorted = [...summaries].sort(compareNewestFirst);
  const rest = after === undefined ? sorted : sorted.filter((s) => compareNewestFirst(s, after) > 0);
  const items = rest.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, ...(last && rest.length > items.length && { nextCursor: encodeListCursor(last) }) };
}
