import { createHash } from 'node:crypto';
import { throwIfAborted } from '../../core/errors.js';
import type { Cache } from '../../core/ports/cache.js';
import { BestEffortCaching, type CacheErrorHook } from './best-effort-caching.js';
import type { Completion, CompletionChunk } from '../../core/model/completion.js';
import type { CompletionRequest, LanguageModel, LanguageModelCapabilities } from '../../core/ports/language-model.js';

export interface CachingLanguageModelOptions {
  inner: LanguageModel;
  cache: Cache;
  /** How long a completion is reused; 0 turns caching off. */
  ttlSeconds: number;
  /** Part of every key: change it (e.g. to the model id) so another model or prompt version never reuses answers. */
  namespace: string;
  /** Told about a cache that failed to read or write; the completion goes on without it either way. */
  onCacheError?: CacheErrorHook;
}

const FINISH_REASONS = new Set(['stop', 'length', 'content-filter', 'other']);

/**
 * Reuses completions for identical prompts (same system text, messages, limits and namespace). Only `complete` is
 * cached: a stream is about hearing the answer as it is produced, so it always goes to the model. A cache that fails
 * is skipped, never reported as a model failure.
 */
export class CachingLanguageModel implements LanguageModel {
  readonly capabilities: LanguageModelCapabilities;

  private readonly store: BestEffortCaching<Completion>;

  constructor(private readonly options: CachingLanguageModelOptions) {
    this.capabilities = options.inner.capabilities;
    this.store = new BestEffortCaching(options.cache, options.ttlSeconds, isCompletion, options.onCacheError);
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    throwIfAborted(request.signal);
    const { inner, ttlSeconds } = this.options;
    if (!(ttlSeconds > 0)) return inner.complete(request);
    const key = this.cacheKey(request);
    const cached = await this.store.read(key, request.signal);
    if (cached) return cached;
    const completion = await inner.complete(request);
    await this.store.write(key, completion, request.signal);
    return completion;
  }

  async *stream(request: CompletionRequest): AsyncIterable<CompletionChunk> {
    throwIfAborted(request.signal);
    yield* this.options.inner.stream(request);
  }

  /** A digest, so prompts of any length make short keys and no conversation text sits in the cache's key space. */
  private cacheKey(request: CompletionRequest): string {
    const { namespace } = this.options;
    const material = JSON.stringify([
      namespace,
      request.system,
      request.messages.map((message) => [message.role, message.content]),
      request.maxTokens ?? null,
      request.temperature ?? null,
      // Offered tools change the answer (a tool call instead of text), so they are part of the key.
      request.tools ?? null,
    ]);
    return `llm:${namespace}:${createHash('sha256').update(material).digest('hex')}`;
  }
}

/** Guards against a key some other writer filled with something else. */
function isCompletion(value: unknown): value is Completion {
  if (typeof value !== 'object' || value === null) return false;
  const { text, model, finishReason } = value as Partial<Completion>;
  return (
    typeof text === 'string' &&
    typeof model === 'string' &&
    typeof finishReason === 'string' &&
    FINISH_REASONS.has(finishReason)
  );
}
