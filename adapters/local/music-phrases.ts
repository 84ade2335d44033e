import type { EntityMatch } from './entity-extractor.js';

const PLAY = String.raw`(?:play|put on|throw on|blast|hear|listen to|search for|look up|find|have|got)`;
const STOP = String.raw`(?:\s+(?:please|for me|now|again|on|music|songs?|tracks?)\b.*)?[?.!]*$`;
const NAME = String.raw`([\p{L}\p{N}][\p{L}\p{N}'’&.-]*(?:\s+[\p{L}\p{N}'’&.-]+){0,4}?)`;
// Compiled once, not per call: without the g or y flag exec keeps no state in them.
const TITLE_BY = new RegExp(String.raw`\b${PLAY}\s+(?:the song\s+)?${NAME}\s+by\s+${NAME}${STOP}`, 'iud');
const BY = new RegExp(String.raw`\bby\s+${NAME}${STOP}`, 'iud');
const SONG = new RegExp(String.raw`\b(?:the song|the track|search for|look up)\s+${NAME}${STOP}`, 'iud');
const SOME = new RegExp(String.raw`\b(?:play|put on|hear)\s+(some\s+)?${NAME}${STOP}`, 'ud');

/**
 * Artists and titles the catalog does not know, read from the shape of the request: "… by X" names an artist,
 * "play X by Y" a title and an artist, "play the song X" a title, and "play some X"/"put on X" an artist when X is
 * capitalised. Spans the dictionaries already matched (genres, catalog titles) are left alone.
 */
export function musicPhrases(text: string, found: readonly EntityMatch[]): EntityMatch[] {
  const taken = (start: number, end: number) => found.some((m) => start < m.end && end > m.start);
  const out: EntityMatch[] = [];
  const add = (entity: 'artist' | 'title', match: RegExpExecArray, group: number) => {
    const raw = match[group];
    if (raw === undefined || !/\p{L}/u.test(raw)) return;
    const start = match.indices?.[group]?.[0] ?? -1;
    const end = start + raw.length;
    if (start < 0 || taken(start, end) || /^(some|something|anything|a|the|me|it|this|that|music)$/i.test(raw)) return;
    out.push({ entity, value: raw, raw, start, end });
  };
  const titleBy = TITLE_BY.exec(text);
  if (
    titleBy &&
    !/^(something|anything|songs?|music|tracks?|some\b.*|any\b.*|the latest|stuff)$/i.test(titleBy[1] ?? '')
  ) {
    add('title', titleBy, 1);
    add('artist', titleBy, 2);
    return out;
  }
  const by = BY.exec(text);
  if (by) {
    add('artist', by, 1);
    return out;
  }
  const song = SONG.exec(text);
  if (song) {
    add('title', song, 1);
    return out;
  }
  const some = SOME.exec(text);
  if (some?.[2] && /^\p{Lu}/u.test(some[2])) add(some[1] || /put on|hear/i.test(some[0]) ? 'artist' : 'title', some, 2);
  return out;
}
