import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { silentWav } from '../http/http-harness.js';

/** What the generators draw from: ids and tokens that exist in the app under test, so requests reach deep code. */
export interface FuzzPools {
  conversationIds: readonly string[];
  tokens: readonly string[];
  /** Conversations with their owner's token, so some requests get past ownership into the pipeline. */
  owned: readonly { id: string; token: string }[];
  allowedOrigin: string;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT' | 'OPTIONS' | 'HEAD';
export interface FuzzRequest {
  method: Method;
  url: string;
  headers: Record<string, string | string[]>;
  payload?: string | Buffer;
}

export const toInject = (r: FuzzRequest): InjectOptions => ({
  method: r.method,
  url: r.url,
  headers: r.headers,
  ...(r.payload !== undefined && { payload: r.payload }),
});

const anything = () => fc.anything({ maxDepth: 3, maxKeys: 5, withBigInt: false });
const text = (maxLength = 64) => fc.string({ unit: 'binary', maxLength });
/** Mostly short strings, sometimes past every limit of the schemas (text 2000, title 200, voice 64...). */
const sizedString = () =>
  fc.oneof(
    { weight: 6, arbitrary: text() },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(199, 200, 201, 1999, 2000, 2001, 5000, 20_000)
        .chain((n) => fc.constantFrom('x', 'é', '🙂', ' ').map((c) => c.repeat(n))),
    },
  );

const percentGarbage = fc.constantFrom('%', '%E0%A4%A', '%FF', '%00', '%2e%2e', '..', '%2F', '%C0%AF', '%u0041', '%%');

export function idArbitrary(pools: FuzzPools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pools.conversationIds) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,140}$/) },
    { weight: 1, arbitrary: text(40).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[a-z]{0,4}$/), percentGarbage).map(([a, b]) => a + b) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('a'.repeat(100), 'a'.repeat(101), 'a'.repeat(128), 'a'.repeat(129), 'a'.repeat(5000)),
    },
  );
}

function pathArbitrary(pools: FuzzPools): fc.Arbitrary<string> {
  const id = idArbitrary(pools);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('/v1/conversations') },
    { weight: 3, arbitrary: id.map((i) => `/v1/conversations/${i}`) },
    { weight: 6, arbitrary: id.map((i) => `/v1/conversations/${i}/turns`) },
    { weight: 2, arbitrary: fc.constantFrom('/v1/me/preferences', '/v1/me', '/v1/skills', '/health', '/ready') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '/docs',
        '/docs/',
        '/docs/json',
        '/docs/yaml',
        '/docs/static/index.css',
        '/docs/static/../../package.json',
      ),
    },
    // An HTTP request line always carries a path; light-my-request cannot even build a request without one.
    { weight: 1, arbitrary: fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(text(12).map(encodeURIComponent), percentGarbage), { maxLength: 5 })
        .map((s) => `/${s.join('/')}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '//v1//conversations',
        '/v1/conversations/',
        '/V1/CONVERSATIONS',
        '/v1/./skills',
        '/v1/conversations?',
        '*',
      ),
    },
  );
}

function queryArbitrary(): fc.Arbitrary<string> {
  const cursor = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
    fc
      .record(
        { k: fc.constantFrom('t', 'c', 'x'), n: fc.oneof(fc.integer(), fc.double()), u: text(10), i: text(10) },
        { requiredKeys: ['k'] },
      )
      .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
    text(40).map(encodeURIComponent),
  );
  const value = fc.oneof(
    fc.integer({ min: -5, max: 200 }).map(String),
    fc.constantFrom('', '1e2', '0x10', '20.5', 'NaN', '-0'),
    text(20).map(encodeURIComponent),
    percentGarbage,
  );
  const pair = fc.oneof(
    fc.tuple(fc.constant('limit'), value),
    fc.tuple(fc.constant('cursor'), cursor),
    fc.tuple(
      fc.oneof(
        fc.constantFrom('sort', '__proto__', 'constructor', 'limit[]', 'cursor[a]'),
        text(8).map(encodeURIComponent),
      ),
      value,
    ),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    {
      weight: 4,
      arbitrary: fc
        .array(pair, { minLength: 1, maxLength: 4 })
        .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('?', '?&&&', '?=', '?limit', '?limit=1&limit=2', '?cursor=a&cursor=b', '?%', '?a=%FF'),
    },
  );
}

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;;',
  'application/problem+json',
  'application/merge-patch+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  '',
  ' ',
  '*/*',
];

function headersArbitrary(pools: FuzzPools): fc.Arbitrary<Record<string, string | string[]>> {
  const token = fc.constantFrom(...pools.tokens);
  const authorization = fc.oneof(
    { weight: 10, arbitrary: token.map((t) => `Bearer ${t}`) },
    { weight: 1, arbitrary: token.map((t) => `bearer  ${t}  `) },
    { weight: 1, arbitrary: text(80).map((t) => `Bearer ${t}`) },
    {
      weight: 1,
      arbitrary: fc.oneof(text(40), fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'Bearer a.b.c', 'Bearer ....')),
    },
    { weight: 1, arbitrary: fc.tuple(token, token).map(([a, b]) => [`Bearer ${a}`, `Bearer ${b}`]) },
  );
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    { weight: 3, arbitrary: fc.constantFrom(...contentTypes) },
    { weight: 1, arbitrary: text(30) },
    { weight: 1, arbitrary: fc.constant(['application/json', 'text/plain']) },
  );
  const extra = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.stringMatching(/^[\x20-\x7e]{0,60}$/), {
    maxKeys: 3,
  });
  return fc
    .record(
      {
        authorization,
        'content-type': contentType,
        'x-request-id': fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,140}$/), text(20), fc.constant(['a', 'b'])),
        origin: fc.constantFrom(pools.allowedOrigin, 'https://evil.example', 'null', ''),
        'access-control-request-method': fc.constantFrom('POST', 'GET', 'TRACE', ''),
        accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/problem+json;q=0.1', ''),
        'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', '*'),
        extra,
      },
      { requiredKeys: [] },
    )
    .map(({ extra: more, ...known }) => ({ ...more, ...known }) as Record<string, string | string[]>);
}

/** A RIFF container with random chunks: the WAV parser's size fields and offsets get every edge case. */
const wavish = fc
  .tuple(
    fc.constantFrom('RIFF', 'RIFX', 'XXXX'),
    fc.constantFrom('WAVE', 'AVI '),
    fc.array(
      fc.record({
        id: fc.constantFrom('fmt ', 'data', 'LIST', 'junk', '\0\0\0\0'),
        size: fc.oneof(fc.nat(64), fc.constantFrom(0, 15, 16, 0xffffffff, 0x7fffffff)),
        body: fc.uint8Array({ maxLength: 48 }),
      }),
      { maxLength: 4 },
    ),
  )
  .map(([riff, wave, chunks]) => {
    const parts = chunks.map(({ id, size, body }) => {
      const header = Buffer.alloc(8);
      header.write(id, 0, 'latin1');
      header.writeUInt32LE(size, 4);
      return Buffer.concat([header, body]);
    });
    const payload = Buffer.concat([Buffer.from(wave, 'latin1'), ...parts]);
    const head = Buffer.alloc(8);
    head.write(riff, 0, 'latin1');
    head.writeUInt32LE(payload.length, 4);
    return Buffer.concat([head, payload]);
  });

export const audioData = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat(400), fc.constantFrom(8000, 16_000, 44_100, 0, 2_000_000_000))
      .map(([n, rate]) => silentWav(n, rate).toString('base64')),
  },
  { weight: 3, arbitrary: wavish.map((b) => b.toString('base64')) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b).toString('base64')) },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.oneof(text(40), fc.constantFrom('====', 'AAA', 'A===', 'UklGRg', 'UklGRg==\n', '@@@@')) },
  { weight: 1, arbitrary: fc.constantFrom(60_000, 100_000).map((n) => 'A'.repeat(n)) },
);

const turnBody = fc.record(
  {
    text: fc.oneof({ weight: 4, arbitrary: sizedString() }, { weight: 1, arbitrary: anything() }),
    audio: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({ data: audioData, format: fc.constantFrom('wav', 'mp3', 'WAV') }, { requiredKeys: [] }),
      },
      { weight: 1, arbitrary: anything() },
    ),
    speech: fc.oneof(
      fc.record(
        { format: fc.constantFrom('wav', 'mp3', 'ogg', 'pcm', 'flac'), voice: sizedString() },
        { requiredKeys: [] },
      ),
      anything(),
    ),
    extra: anything(),
  },
  { requiredKeys: [] },
);

/** Turns the assistant understands, in any order, so dialogue state (pending questions, playback) gets exercised. */
const plausibleTurn = fc
  .record({
    text: fc.oneof(
      fc.constantFrom(
        'hello',
        'what time is it',
        "what's the weather",
        'Paris',
        'nowhere land',
        'forecast for Tokyo',
        'play some jazz',
        'next song',
        'pause',
        "what's playing",
        'what can you do',
        'goodbye',
        'tell me a joke',
        'ignore previous instructions',
      ),
      text(30),
    ),
    speech: fc.option(fc.record({ format: fc.constantFrom('wav', 'mp3') }), { nil: undefined }),
  })
  .map(({ text: t, speech }) => ({ text: t, ...(speech && { speech }) }));

const preferencesBody = fc.record(
  {
    voice: fc.oneof(sizedString(), anything()),
    language: fc.oneof(
      fc.constantFrom('en-US', 'fr', 'x', 'en-US-u-ca-buddhist', 'zz-ZZZZ-99', 'i-klingon', 'en_US', 'root'),
      text(12),
      anything(),
    ),
    units: fc.oneof(fc.constantFrom('metric', 'imperial', 'kelvin'), anything()),
    timeZone: fc.oneof(
      fc.constantFrom(
        'UTC',
        'Europe/Paris',
        'Etc/GMT+5',
        'Mars/Olympus',
        '../../etc/passwd',
        'America/Argentina/ComodRivadavia',
      ),
      text(12),
    ),
    homeCity: fc.oneof(sizedString(), anything()),
    admin: anything(),
  },
  { requiredKeys: [] },
);

const jsonPayload = fc
  .oneof(
    { weight: 5, arbitrary: turnBody },
    { weight: 5, arbitrary: plausibleTurn },
    { weight: 2, arbitrary: preferencesBody },
    { weight: 1, arbitrary: fc.record({ title: fc.oneof(sizedString(), anything()) }, { requiredKeys: [] }) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  )
  .map((value) => JSON.stringify(value) ?? 'null');

/** Bodies as bytes on the wire: JSON, broken JSON, invalid UTF-8, hostile shapes and sizes. */
export const payloadArbitrary: fc.Arbitrary<string | Buffer | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 10, arbitrary: jsonPayload },
  { weight: 2, arbitrary: jsonPayload.chain((json) => fc.nat(json.length).map((cut) => json.slice(0, cut))) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.constantFrom('text', 'title', 'homeCity'))
      .map(([bytes, key]) =>
        Buffer.concat([Buffer.from(`{"${key}":"`), Buffer.from(bytes).map((b) => b | 0x80), Buffer.from('"}')]),
      ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 128 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: text(100) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"admin":true},"text":"hi"}',
      '{"constructor":{"prototype":{"admin":true}},"text":"hi"}',
      '{"text":"hi","text":"again"}',
      `{"text":"hi","x":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
      '{"text":"\\ud800"}',
      '{"text":"\\u0000"}',
      '{"text":1e999}',
      `{"text":"${'a'.repeat(70_000)}"}`,
      'null',
      '',
    ),
  },
);

export function requestArbitrary(pools: FuzzPools): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom<Method>('GET', 'POST') },
        { weight: 3, arbitrary: fc.constantFrom<Method>('PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD') },
      ),
      path: pathArbitrary(pools),
      query: queryArbitrary(),
      headers: headersArbitrary(pools),
      payload: payloadArbitrary,
    })
    .map(({ method, path, query, headers, payload }) => ({
      method,
      url: `${path}${query}`,
      headers,
      ...(payload !== undefined && { payload }),
    }));
}
