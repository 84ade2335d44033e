import { NO_INTENT } from '../../core/model/understanding.js';
import { PLAIN_ASCII } from './entity-tokens.js';

/**
 * Word cues that say what a request is about whatever its phrasing, checked before the statistical classifier, which
 * only knows the skills' example sentences. The first rule that matches decides; a rule for NO_INTENT sends a
 * question about a skill's subject ("how does rain form") to the language model instead of the skill.
 */
export interface Cue {
  intent: string;
  pattern: RegExp;
  /**
   * What every match of `pattern` contains, so that the pattern need not run on a text without any of it (most texts
   * lack most cues' words, and the patterns are tried in order): one of the `words` as a whole run of \w characters
   * (what the patterns' \b delimit), one of the `fragments` anywhere, or, with `digits`, a run that starts with a digit.
   * A cue with none of them is always tried. Keep them in step with the pattern: the tests generate matches of each
   * pattern and fail on one its prefilter would skip.
   */
  words?: readonly string[];
  fragments?: readonly string[];
  digits?: boolean;
}

const W = String.raw;
const WEATHER =
  W`weather|wh?eath?er|wether|forecast|outlook|rain\w*|pour\w*|drizzl\w*|shower\w*|snow\w*|sleet|hail|sun|sunny|sunshine|` +
  W`cloud\w*|overcast|fog\w*|mist\w*|wind\w*|breez\w*|gust\w*|storm\w*|thunder\w*|lightning|humid\w*|muggy|` +
  W`temp|temperature|degrees|hot|cold|warm|cool|chilly|freezing|frost\w*|heat ?wave|umbrella|raincoat|coat|jacket|` +
  W`gloves|scarf|sunscreen|sun ?cream|shorts|t-shirt weather|conditions|nice out|like out(side)?|like outside`;
const FUTURE =
  W`tomorrow|tonight|later|this (week|weekend|evening|afternoon)|next|weekend|week|days|monday|tuesday|wednesday|` +
  W`thursday|friday|saturday|sunday|will|gonna|going to|expected|on the way|outlook|forecast|pack|bring`;
const KNOWLEDGE =
  W`^(why|explain|define|translate|summari[sz]e|write|recommend|compose)\b|` +
  W`\b(how (does|do|did|are|is) (a |an |the )?[\w ]*(form|work|made|fall|float|happen)s?\b)|` +
  W`\bhow do (i|you) (make|cook|fix|bake|get|boil|change|tie)\b|` +
  W`\b(who|when) (invented|wrote|discovered|painted|composed|sang|founded|built|was|were|did|is the)\b|` +
  W`\bwhat('s| is| was| are)? (the )?(history|origin|capital|population|speed|difference|meaning|definition|tallest|` +
  W`largest|biggest|boiling|freezing point|plot|difference|cause|science|point)\b|` +
  W`\bwhat (year|month|day) (did|was|were|does|do)\b|\bwhat (causes|happened|does a|language|should i (make|cook|eat))\b|` +
  W`\bhow (many|much) \w+ (are )?(in|until|till|between)\b|\bhow many \w+ (is|are) there\b|` +
  W`\bhow (long|far|old|big|tall|deep) (is|was|are|does)\b|\bhow hot is the sun\b|\bwhat is (humidity|time dilation)\b|` +
  W`\b\d+\s*(x|times|plus|minus|divided by)\s*\d+\b|\b\w+ (minutes|hours|days|seconds) (in|to) (minutes|hours|days|seconds)\b|` +
  W`\b(tell me|know) (a|an|some) (joke|fun fact|story|fact)\b|\btell me about\b|\bfun fact\b|\bjoke\b|\bpoem\b|` +
  W`\bis (pluto|the earth|a tomato)\b|\bwhat time zone\b|\bmeteorologist\b|\bthermometer|\bclimate\b|\bseasons\b`;

export const CUES: readonly Cue[] = [
  {
    intent: 'help.capabilities',
    pattern:
      /^(help|help me)\b|what (else |sort of things |kinds? of things |things )?(can|could) (you|i) (do|ask|say)|what (are you|r u) (able|capable)|what (can|could) you (help|do)|what do you do\b|how does this work|how do i use you|\b(commands|features|skills|abilities)\b|examples of what|can you help me\b|what are you able to|what kinds? of (commands|things)|how can you help/,
    words: [...'help can could are r do does use commands features skills abilities of'.split(' ')],
  },
  {
    intent: NO_INTENT,
    pattern: new RegExp(KNOWLEDGE),
    words: [
      ...'why explain define translate summarise summarize write recommend compose how who when'.split(' '),
      ...'history origin capital population speed difference meaning definition tallest largest biggest'.split(' '),
      ...'boiling freezing plot cause science point year month day causes happened does language should'.split(' '),
      ...'humidity dilation minutes hours days seconds joke fun story fact about poem pluto earth tomato'.split(' '),
      ...'zone meteorologist climate seasons'.split(' '),
    ],
    fragments: ['thermometer'],
    digits: true,
  },
  {
    intent: 'greeting.thanks',
    pattern:
      /^(thanks|thank you|thx|ty|ta|cheers|many thanks|much appreciated|appreciate it)\b|\bthank(s| you)\b(?!.*\b(bye|goodbye)\b)/,
    words: ['thanks', 'thank', 'thx', 'ty', 'ta', 'cheers', 'many', 'much', 'appreciate'],
  },
  {
    intent: 'greeting.goodbye',
    pattern:
      /\b(bye|goodbye|good ?bye|see ya|see you|(catch|talk to) (you|ya) later|take care|good ?night|night night|nighty|ciao|adios|farewell|catch you|i'?m off|signing off|that'?s (all|everything))\b|^later\b/,
    words: [
      ...'bye goodbye good goodnight see catch talk take night nighty ciao adios farewell off signing'.split(' '),
      ...'all everything later'.split(' '),
    ],
  },
  {
    intent: 'greeting.hello',
    pattern:
      /^(hi|hello|hey|hiya|howdy|yo|sup|wassup|what'?s up|greetings|hallo|heya|good (morning|afternoon|evening|day)|morning|evening|afternoon)\b(?!.*\b(weather|play|time|date|rain)\b)/,
    words: [
      ...'hi hello hey hiya howdy yo sup wassup up greetings hallo heya good morning afternoon evening'.split(' '),
    ],
  },
  {
    intent: 'music.pause',
    pattern: /\bpause\b|\bhold (on|it|the music)\b|\bhang on\b|\bwait\b.*\b(stop|sec|second|minute)\b/,
    words: ['pause', 'hold', 'hang', 'wait'],
  },
  {
    intent: 'music.resume',
    pattern: /\b(carry on|keep (going|playing)|unpause|resume|continue|play it again|start it again|from where)\b/,
    words: ['carry', 'keep', 'unpause', 'resume', 'continue', 'again', 'where'],
  },
  {
    intent: 'music.next',
    pattern: /\b(skip|next (one|song|track)|play the next|not this one|another song)\b|^next\b|\bnext$/,
    words: ['skip', 'next', 'not', 'another'],
  },
  {
    intent: 'music.stop',
    pattern:
      /\b(turn|switch|shut) (it|the music|that|the song|this) off\b|\b(turn|switch|shut) off\b|\b(stop|kill|end) (the )?(music|playback|playing|song)\b|\bno more music\b|\benough music\b|\bturn it off\b|\bmusic off\b/,
    words: ['off', 'stop', 'kill', 'end', 'music'],
  },
  {
    intent: 'music.now_playing',
    pattern:
      /\bwho (is this by|sings this|is singing|'?s singing|'?s the artist|is the artist|is this)\b|\bwho'?s (the artist|singing)\b|\bwhat('?s| is) (this song|this track|playing|the name of this)|\bname of (this|the) (song|track)\b|\bwhat (song|track) is (this|playing)\b|\bwhat am i listening to\b/,
    words: ['who', 'whos', 'this', 'name', 'song', 'track', 'listening'],
    fragments: ['playing'],
  },
  {
    intent: 'music.search',
    pattern:
      /\b(do you have|have you got|you got)\b.*\b(by|songs?|tracks?|music|anything)\b|\bwhat [\w ]*(do you have|have you got|are in the library)\b|\b(search|look) (for|up)\b|\bfind (me )?(some )?[\w ]*(songs|tracks|music)\b/,
    words: ['have', 'got', 'library', 'search', 'look'],
    fragments: ['find'],
  },
  {
    intent: 'music.play',
    pattern:
      /^(play|put on|throw on|blast|shuffle|start (some|the)? ?music)\b|\b(play|put on|throw on|blast|shuffle) (some|me|my|something|a|the|it)\b|\b(hear|listen to) (some|something|a|the)\b|\bsome [\w&-]+ (music|please|going|stuff|on)\b|\bmusic please\b|^(some|a bit of) [\w&-]+( music)?( please)?$|\bput [\w&-]+ on\b|\bfeel like some\b|\blet'?s (have|hear|listen)\b|\bplay \w+/,
    words: [...'play put throw blast shuffle start hear listen some music please bit feel let lets'.split(' ')],
  },
  {
    intent: 'time.date',
    pattern:
      /\b(what|which)('?s| is)? (the )?(date|day|month|year)\b|\bwhat day of\b|\b(today'?s|the) date\b|\bis (it|today) (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|^what is today\b|\bwhat (month|year|day) (are we|is it)\b|\btell me the date\b/,
    words: [...'date day month year today monday tuesday wednesday thursday friday saturday sunday'.split(' ')],
  },
  {
    intent: 'time.now',
    pattern:
      /\b(what|the|current|got the|have the|know the)\s+time\b|\btime (please|now|in)\b|^time\b|\bhow late is it\b|\bwhat hour\b/,
    words: ['time', 'late', 'hour'],
  },
  {
    intent: 'weather.forecast',
    pattern: new RegExp(`\\b(${WEATHER})\\b.*\\b(${FUTURE})\\b|\\b(${FUTURE})\\b.*\\b(${WEATHER})\\b`),
    // Every match has a FUTURE term, and each of those starts with one of these words.
    words: [
      ...'tomorrow tonight later this next weekend week days monday tuesday wednesday thursday friday'.split(' '),
      ...'saturday sunday will gonna going expected on outlook forecast pack bring'.split(' '),
    ],
  },
  { intent: 'weather.forecast', pattern: /\b(forecast|outlook)\b/, words: ['forecast', 'outlook'] },
  { intent: 'weather.current', pattern: new RegExp(`\\b(${WEATHER})\\b`) },
];

/** The intent the request's words point at, NO_INTENT for a general question, undefined when no cue matches. */
export function cuedIntent(text: string): string | undefined {
  const normal = normalise(text);
  const possible = possibleCues(normal);
  for (let i = 0; i < CUES.length; i += 1) {
    const cue = CUES[i] as Cue;
    if ((possible & (1 << i)) !== 0 && cue.pattern.test(normal)) return cue.intent;
  }
  return undefined;
}

/** Bit i stands for CUES[i]. */
const ALWAYS_TRIED = bits((cue) => !cue.words && !cue.fragments && !cue.digits);
const BY_DIGIT = bits((cue) => cue.digits === true);
const BY_WORD = new Map<string, number>();
CUES.forEach((cue, i) => {
  for (const word of cue.words ?? []) BY_WORD.set(word, (BY_WORD.get(word) ?? 0) | (1 << i));
});
const BY_FRAGMENT = CUES.flatMap((cue, i) => (cue.fragments ?? []).map((fragment) => ({ fragment, bit: 1 << i })));

function bits(test: (cue: Cue) => boolean): number {
  return CUES.reduce((mask, cue, i) => (test(cue) ? mask | (1 << i) : mask), 0);
}

/**
 * The cues (as bits) whose pattern can match `text`: those always tried, and those whose words, fragments or digits
 * it has. One pass over its runs of \w characters with a lookup each costs less than the patterns it spares.
 */
export function possibleCues(text: string): number {
  let possible = ALWAYS_TRIED;
  for (const { fragment, bit } of BY_FRAGMENT) if (text.includes(fragment)) possible |= bit;
  let start = -1;
  for (let i = 0; i <= text.length; i += 1) {
    const word = i < text.length && isWordCharacter(text.charCodeAt(i));
    if (word && start < 0) start = i;
    else if (!word && start >= 0) {
      possible |= BY_WORD.get(text.slice(start, i)) ?? 0;
      if (isDigit(text.charCodeAt(start))) possible |= BY_DIGIT;
      start = -1;
    }
  }
  return possible;
}

/** What \w matches in a pattern without the u flag: A-Z, a-z, 0-9 and _. */
function isWordCharacter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || isDigit(code) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Lower case, quotes unified, anything but letters, digits, apostrophes, ampersands and hyphens made one space. */
export function normalise(text: string): string {
  const lower = text.toLowerCase();
  // Most requests arrive already normal; checking that costs a fraction of the replacements below.
  if (isNormal(lower)) return lower;
  // Printable ASCII (letters and digits a-z, A-Z, 0-9; the backtick its only quote to unify): the same result without
  // Unicode property classes, which cost most of the normalisation, for the common case.
  if (PLAIN_ASCII.test(lower)) return normaliseAscii(lower.includes('`') ? lower.replace(/`/g, "'") : lower);
  return lower
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'&-]+/gu, ' ')
    .trim();
}

/**
 * What replacing every run of characters other than a-z, A-Z, 0-9, ', & and - by one space and trimming gives, for
 * printable ASCII: the kept runs joined by single spaces, built by one scan instead of a global replacement.
 */
function normaliseAscii(text: string): string {
  let normal = '';
  let start = -1;
  for (let i = 0; i <= text.length; i += 1) {
    const kept = i < text.length && isKept(text.charCodeAt(i));
    if (kept && start < 0) start = i;
    else if (!kept && start >= 0) {
      normal = normal === '' ? text.slice(start, i) : `${normal} ${text.slice(start, i)}`;
      start = -1;
    }
  }
  return normal;
}

/** a-z, A-Z, 0-9, ', & or -: the characters normalise keeps. */
function isKept(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    isDigit(code) ||
    (code >= 0x41 && code <= 0x5a) ||
    code === 0x27 ||
    code === 0x26 ||
    code === 0x2d
  );
}

/** True when normalise has nothing to change: a-z, 0-9, apostrophes, ampersands and hyphens in words one space apart. */
function isNormal(lower: string): boolean {
  const last = lower.length - 1;
  for (let i = 0; i <= last; i += 1) {
    const code = lower.charCodeAt(i);
    if (code === SPACE) {
      if (i === 0 || i === last || lower.charCodeAt(i - 1) === SPACE) return false;
    } else if (!isKept(code)) return false;
  }
  return true;
}

const SPACE = 0x20;
