import { NO_INTENT } from '../../core/model/understanding.js';

/**
 * Word cues that say what a request is about whatever its phrasing, checked before the statistical classifier, which
 * only knows the skills' example sentences. The first rule that matches decides; a rule for NO_INTENT sends a
 * question about a skill's subject ("how does rain form") to the language model instead of the skill.
 */
interface Cue {
  intent: string;
  pattern: RegExp;
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

const CUES: readonly Cue[] = [
  {
    intent: 'help.capabilities',
    pattern:
      /^(help|help me)\b|what (else |sort of things |kinds? of things |things )?(can|could) (you|i) (do|ask|say)|what (are you|r u) (able|capable)|what (can|could) you (help|do)|what do you do\b|how does this work|how do i use you|\b(commands|features|skills|abilities)\b|examples of what|can you help me\b|what are you able to|what kinds? of (commands|things)|how can you help/,
  },
  { intent: NO_INTENT, pattern: new RegExp(KNOWLEDGE) },
  {
    intent: 'greeting.thanks',
    pattern:
      /^(thanks|thank you|thx|ty|ta|cheers|many thanks|much appreciated|appreciate it)\b|\bthank(s| you)\b(?!.*\b(bye|goodbye)\b)/,
  },
  {
    intent: 'greeting.goodbye',
    pattern:
      /\b(bye|goodbye|good ?bye|see ya|see you|(catch|talk to) (you|ya) later|take care|good ?night|night night|nighty|ciao|adios|farewell|catch you|i'?m off|signing off|that'?s (all|everything))\b|^later\b/,
  },
  {
    intent: 'greeting.hello',
    pattern:
      /^(hi|hello|hey|hiya|howdy|yo|sup|wassup|what'?s up|greetings|hallo|heya|good (morning|afternoon|evening|day)|morning|evening|afternoon)\b(?!.*\b(weather|play|time|date|rain)\b)/,
  },
  {
    intent: 'music.pause',
    pattern: /\bpause\b|\bhold (on|it|the music)\b|\bhang on\b|\bwait\b.*\b(stop|sec|second|minute)\b/,
  },
  {
    intent: 'music.resume',
    pattern: /\b(carry on|keep (going|playing)|unpause|resume|continue|play it again|start it again|from where)\b/,
  },
  {
    intent: 'music.next',
    pattern: /\b(skip|next (one|song|track)|play the next|not this one|another song)\b|^next\b|\bnext$/,
  },
  {
    intent: 'music.stop',
    pattern:
      /\b(turn|switch|shut) (it|the music|that|the song|this) off\b|\b(turn|switch|shut) off\b|\b(stop|kill|end) (the )?(music|playback|playing|song)\b|\bno more music\b|\benough music\b|\bturn it off\b|\bmusic off\b/,
  },
  {
    intent: 'music.now_playing',
    pattern:
      /\bwho (is this by|sings this|is singing|'?s singing|'?s the artist|is the artist|is this)\b|\bwho'?s (the artist|singing)\b|\bwhat('?s| is) (this song|this track|playing|the name of this)|\bname of (this|the) (song|track)\b|\bwhat (song|track) is (this|playing)\b|\bwhat am i listening to\b/,
  },
  {
    intent: 'music.search',
    pattern:
      /\b(do you have|have you got|you got)\b.*\b(by|songs?|tracks?|music|anything)\b|\bwhat [\w ]*(do you have|have you got|are in the library)\b|\b(search|look) (for|up)\b|\bfind (me )?(some )?[\w ]*(songs|tracks|music)\b/,
  },
  {
    intent: 'music.play',
    pattern:
      /^(play|put on|throw on|blast|shuffle|start (some|the)? ?music)\b|\b(play|put on|throw on|blast|shuffle) (some|me|my|something|a|the|it)\b|\b(hear|listen to) (some|something|a|the)\b|\bsome [\w&-]+ (music|please|going|stuff|on)\b|\bmusic please\b|^(some|a bit of) [\w&-]+( music)?( please)?$|\bput [\w&-]+ on\b|\bfeel like some\b|\blet'?s (have|hear|listen)\b|\bplay \w+/,
  },
  {
    intent: 'time.date',
    pattern:
      /\b(what|which)('?s| is)? (the )?(date|day|month|year)\b|\bwhat day of\b|\b(today'?s|the) date\b|\bis (it|today) (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|^what is today\b|\bwhat (month|year|day) (are we|is it)\b|\btell me the date\b/,
  },
  {
    intent: 'time.now',
    pattern:
      /\b(what|the|current|got the|have the|know the)\s+time\b|\btime (please|now|in)\b|^time\b|\bhow late is it\b|\bwhat hour\b/,
  },
  {
    intent: 'weather.forecast',
    pattern: new RegExp(`\\b(${WEATHER})\\b.*\\b(${FUTURE})\\b|\\b(${FUTURE})\\b.*\\b(${WEATHER})\\b`),
  },
  { intent: 'weather.forecast', pattern: /\b(forecast|outlook)\b/ },
  { intent: 'weather.current', pattern: new RegExp(`\\b(${WEATHER})\\b`) },
];

/** The intent the request's words point at, NO_INTENT for a general question, undefined when no cue matches. */
export function cuedIntent(text: string): string | undefined {
  const normal = normalise(text);
  for (const cue of CUES) if (cue.pattern.test(normal)) return cue.intent;
  return undefined;
}

/** Printable ASCII only: its letters and digits are a-z, A-Z and 0-9, and its only quote to unify is the backtick. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Lower case, quotes unified, anything but letters, digits, apostrophes, ampersands and hyphens made one space. */
function normalise(text: string): string {
  const lower = text.toLowerCase();
  // The same result without Unicode property classes, which cost most of the normalisation, for the common case.
  if (PLAIN_ASCII.test(lower))
    return lower
      .replace(/`/g, "'")
      .replace(/[^a-zA-Z0-9'&-]+/g, ' ')
      .trim();
  return lower
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'&-]+/gu, ' ')
    .trim();
}
