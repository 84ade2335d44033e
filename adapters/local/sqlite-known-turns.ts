import type { Turn } from '../../core/model/conversation.js';
import { plainCopy } from '../shared/plain-copy.js';
import type { SqliteKnownRows } from './sqlite-known-rows.js';

/**
 * Turns this connection read, parsed, by conversation key and seq. A stored turn never changes: only deleting its
 * conversation (or its user's data) removes it, and a seq is then free for a new conversation of the same id. So a
 * known turn stays what the file holds while no other connection commits (the known rows' check) and the store has
 * deleted nothing since (it forgets them all when it deletes).
 */
const TURNS = 'turns';
/**
 * Turns kept at most (a few hundred bytes each, parsed): the history windows of a hundred busy conversations. A server
 * answering the language model for a thousand conversations at once would otherwise keep ten thousand of them, ~6 MB
 * of a 150 MB budget (bench:load); past this the kept turns start over.
 */
const MAX_KNOWN_TURNS = 2000;

export function parseTurn(body: string): Turn {
  return JSON.parse(body) as Turn;
}

/**
 * Copies of the turns `from` to `end` (exclusive) of the conversation `key`, when every one of them is known: a copy
 * costs about a quarter of parsing the row again, and the statement is not run at all. Undefined when one is missing.
 * The caller has checked the known rows are fresh and read `end` from the known header.
 */
export function knownTurns(known: SqliteKnownRows, key: string, from: number, end: number): Turn[] | undefined {
  const turns = known.rows<Turn>(TURNS, MAX_KNOWN_TURNS);
  const items = new Array<Turn>(Math.max(0, end - from));
  for (let index = 0; index < items.length; index += 1) {
    const turn = turns.get(turnKey(key, from + index));
    if (turn === undefined) return undefined;
    items[index] = plainCopy(turn);
  }
  return items;
}

/** Parses rows read from seq `from` on, keeps them as known turns and hands out copies (never the kept objects). */
export function keepTurns(known: SqliteKnownRows, key: string, from: number, bodies: readonly string[]): Turn[] {
  const turns = known.rows<Turn>(TURNS, MAX_KNOWN_TURNS);
  const items = new Array<Turn>(bodies.length);
  for (let index = 0; index < bodies.length; index += 1) {
    const turn = parseTurn(bodies[index]!);
    turns.set(turnKey(key, from + index), turn);
    items[index] = plainCopy(turn);
  }
  return items;
}

/** A turn's key among the known rows: its conversation's key and its seq. */
function turnKey(key: string, seq: number): string {
  return `${key}\0${seq}`;
}

/** Forgets every known turn: which of a conversation's turns are known is not kept by conversation, and deletes are rare. */
export function forgetKnownTurns(known: SqliteKnownRows): void {
  known.rows(TURNS).clear();
}
