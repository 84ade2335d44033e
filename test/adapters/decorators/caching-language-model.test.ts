import { describe, expect, it } from 'vitest';
import { CachingLanguageModel } from '../../../adapters/decorators/caching-language-model.js';
import { MemoryCache } from '../../../adapters/local/memory-cache.js';
import { AbortedError, DependencyUnavailableError, LanguageModelUnavailableError } from '../../../core/errors.js';
import type { IoOptions } from '../../../core/model/io.js';
import type { Cache } from '../../../core/ports/cache.js';
import type { CompletionChunk } from '../../../core/model/completion.js';
import type { CompletionRequest } from '../../../core/ports/language-model.js';
import { describeLanguageModelContract } from '../../contract/language-model.contract.js';
import { ScriptedLanguageModel } from '../../doubles/scripted-language-model.js';

describeLanguageModelContract('CachingLanguageModel over a scripted model', async () => {
  const inner = new ScriptedLanguageModel((request) => `You said: ${request.messages.at(-1)?.content ?? ''}`);
  const model = new CachingLanguageModel({ inner, cache: new MemoryCache(), ttlSeconds: 300, namespace: 'contract' });
  return { model, setUnavailable: () => void (inner.down = true) };
});

const REQUEST: CompletionRequest = {
  system: 'Be brief.',
  messages: [
    { role: 'user', content: 'hello' },
    { role: 'assistant', content: 'hi' },
    { role: 'user', content: 'how are you?' },
  ],
  maxTokens: 64,
  temperature: 0.2,
};

/** Records the keys asked for, on top of a working in-memory cache. */
class RecordingCache extends MemoryCache {
  readonly keys: string[] = [];
  override async get<T = unknown>(request: { key: string } & IoOptions): Promise<T | undefined> {
    this.keys.push(request.key);
    return super.get<T>(request);
  }
}

const brokenCache: Cache = {
  get: async () => {
    throw new DependencyUnavailableError('redis', 'connection refused');
  },
  set: async () => {
    throw new DependencyUnavailableError('redis', 'connection refused');
  },
  delete: async () => undefined,
};

async function collect(stream: AsyncIterable<CompletionChunk>): Promise<CompletionChunk[]> {
  const chunks: CompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function setup(options: { cache?: Cache; ttlSeconds?: number; namespace?: string } = {}) {
  let calls = 0;
  const inner = new ScriptedLanguageModel(() => `answer ${++calls}`);
  const errors: string[] = [];
  const model = new CachingLanguageModel({
    inner,
    cache: options.cache ?? new MemoryCache(),
    ttlSeconds: options.ttlSeconds ?? 300,
    namespace: options.namespace ?? 'llama3.2',
    onCacheError: (_error, operation) => void errors.push(operation),
  });
  return { inner, model, errors };
}

describe('CachingLanguageModel', () => {
  it('answers the same prompt from the cache', async () => {
    const { inner, model } = setup();
    const first = await model.complete(REQUEST);
    await expect(model.complete({ ...REQUEST, messages: REQUEST.messages.map((m) => ({ ...m })) })).resolves.toEqual(
      first,
    );
    expect(inner.requests).toHaveLength(1);
  });

  it.each([
    ['system prompt', { system: 'Be verbose.' }],
    [
      'last message',
      { messages: [...REQUEST.messages.slice(0, -1), { role: 'user' as const, content: 'how are you' }] },
    ],
    ['message role', { messages: REQUEST.messages.map((m, i) => (i === 1 ? { ...m, role: 'user' as const } : m)) }],
    ['maxTokens', { maxTokens: 65 }],
    ['temperature', { temperature: 0.3 }],
    ['missing temperature', { temperature: undefined }],
  ])('asks the model again when the %s differs', async (_label, change) => {
    const { inner, model } = setup();
    const first = await model.complete(REQUEST);
    const second = await model.complete({ ...REQUEST, ...change });
    expect(second.text).not.toBe(first.text);
    expect(inner.requests).toHaveLength(2);
  });

  it('keeps namespaces apart, and keys are digests that hold no prompt text', async () => {
    const cache = new RecordingCache();
    const one = setup({ cache, namespace: 'model-a' });
    const two = setup({ cache, namespace: 'model-b' });
    await one.model.complete(REQUEST);
    await two.model.complete(REQUEST);
    expect(two.inner.requests).toHaveLength(1);
    expect(cache.keys).toEqual([
      expect.stringMatching(/^llm:model-a:[0-9a-f]{64}$/),
      expect.stringMatching(/^llm:model-b:[0-9a-f]{64}$/),
    ]);
  });

  it('streams from the model every time', async () => {
    const { inner, model } = setup();
    await model.complete(REQUEST);
    const streamed = await collect(model.stream(REQUEST));
    expect(streamed.at(-1)).toMatchObject({ type: 'finish' });
    expect(inner.requests).toHaveLength(2);
  });

  it('never caches a failure', async () => {
    const { inner, model } = setup();
    inner.down = true;
    await expect(model.complete(REQUEST)).rejects.toBeInstanceOf(LanguageModelUnavailableError);
    inner.down = false;
    await expect(model.complete(REQUEST)).resolves.toMatchObject({ text: 'answer 1' });
    expect(inner.requests).toHaveLength(2);
  });

  it('falls through to the model when the cache fails, and reports the failures', async () => {
    const { inner, model, errors } = setup({ cache: brokenCache });
    await expect(model.complete(REQUEST)).resolves.toMatchObject({ text: 'answer 1' });
    await expect(model.complete(REQUEST)).resolves.toMatchObject({ text: 'answer 2' });
    expect(inner.requests).toHaveLength(2);
    expect(errors).toEqual(['get', 'set', 'get', 'set']);
  });

  it('survives an onCacheError hook that throws', async () => {
    const model = new CachingLanguageModel({
      inner: new ScriptedLanguageModel(),
      cache: brokenCache,
      ttlSeconds: 300,
      namespace: 'n',
      onCacheError: () => {
        throw new Error('hook boom');
      },
    });
    await expect(model.complete(REQUEST)).resolves.toMatchObject({ text: 'A scripted answer.' });
  });

  it('passes every call through when the TTL is 0, and mirrors the inner capabilities', async () => {
    const { inner, model } = setup({ ttlSeconds: 0 });
    await model.complete(REQUEST);
    await model.complete(REQUEST);
    expect(inner.requests).toHaveLength(2);
    expect(model.capabilities).toEqual(inner.capabilities);
  });

  it('honours an aborted signal even when the answer is cached', async () => {
    const { model } = setup();
    await model.complete(REQUEST);
    await expect(model.complete({ ...REQUEST, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
  });
});
