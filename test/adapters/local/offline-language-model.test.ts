import { describe, expect, it } from 'vitest';
import { OfflineLanguageModel } from '../../../adapters/local/offline-language-model.js';
import type { CompletionChunk } from '../../../core/model/completion.js';
import { describeLanguageModelContract } from '../../contract/language-model.contract.js';

const SKILLS = ['the weather and forecast for a city', 'playing music by title, artist or genre', 'telling the time'];

describeLanguageModelContract('OfflineLanguageModel', async () => ({
  model: new OfflineLanguageModel({ capabilities: SKILLS }),
}));

describe('OfflineLanguageModel', () => {
  const request = {
    system: 'You are a voice assistant.',
    messages: [{ role: 'user' as const, content: 'Who painted the Mona Lisa?' }],
  };

  it('says no model is configured, lists what the assistant can do, and how to configure one', async () => {
    const { text } = await new OfflineLanguageModel({ capabilities: SKILLS }).complete(request);

    expect(text).toMatch(/^No language model is configured, so I can't answer open questions\./);
    for (const skill of SKILLS) expect(text).toContain(skill);
    expect(text).toContain('LLM_BASE_URL');
    expect(text).not.toMatch(/Leonardo|da Vinci/);
  });

  it('leaves out the list when there is nothing to offer', async () => {
    const { text } = await new OfflineLanguageModel({ capabilities: [' ', ''] }).complete(request);

    expect(text).not.toContain('I can still help with');
    expect(text).toContain('LLM_BASE_URL');
  });

  it('declares that it streams but answers no open questions and calls no tools, and streams its reply in several deltas', async () => {
    const model = new OfflineLanguageModel({ capabilities: SKILLS });
    const chunks: CompletionChunk[] = [];
    for await (const chunk of model.stream(request)) chunks.push(chunk);
    const { text } = await model.complete(request);

    expect(model.capabilities).toEqual({ streaming: true, answersOpenQuestions: false, tools: false });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('')).toBe(text);
  });
});
