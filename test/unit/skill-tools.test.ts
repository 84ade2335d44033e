import { describe, expect, it } from 'vitest';
import type { Completion, CompletionChunk, ToolCall } from '../../core/model/completion.js';
import type { CompletionRequest, LanguageModel } from '../../core/ports/language-model.js';
import { skillTools, validateToolCall } from '../../core/dialogue/skill-tools.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { WeatherSkill } from '../../core/skills/weather/weather-skill.js';
import { FixedWeatherProvider } from '../doubles/fixed-weather-provider.js';
import { createTestAssistant } from '../support/test-assistant.js';

/** A model that calls `call` whenever tools are offered, and answers in words otherwise. */
class ToolCallingModel implements LanguageModel {
  readonly capabilities = { streaming: false, answersOpenQuestions: true, tools: true };
  readonly requests: CompletionRequest[] = [];
  constructor(private readonly call: ToolCall) {}

  async complete(request: CompletionRequest): Promise<Completion> {
    this.requests.push(request);
    if (request.tools?.length) return { text: '', model: 'tools', finishReason: 'tool-call', toolCall: this.call };
    return { text: 'A plain answer.', model: 'tools', finishReason: 'stop' };
  }

  async *stream(request: CompletionRequest): AsyncIterable<CompletionChunk> {
    const completion = await this.complete(request);
    yield { type: 'text', text: completion.text };
    yield { type: 'finish', finishReason: completion.finishReason };
  }
}

const UNSURE = 'planning a picnic around Lisbon this afternoon, good idea?';

describe('skills offered to the model as tools', () => {
  it('runs the skill the model calls, with the slots it gave, when the local NLU is not confident', async () => {
    // Prepare
    const model = new ToolCallingModel({ name: 'weather_forecast', arguments: { city: 'Lisbon' } });
    const a = await createTestAssistant({ model });
    const { id } = await a.service.create('u1');
    // Act
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: { kind: 'text', text: UNSURE } });
    // Assess
    expect(reply).toMatchObject({ skill: 'weather', intent: 'weather.forecast', slots: { city: 'Lisbon' } });
    expect(reply.text).toMatch(/^Forecast for Lisbon/);
    expect(model.requests[0]?.tools?.map((t) => t.name)).toEqual(expect.arrayContaining(['weather_forecast']));
  });

  it('falls back to a plain answer when the call does not fit the skill slots', async () => {
    const model = new ToolCallingModel({ name: 'weather_forecast', arguments: { city: 42, when: 'soon' } });
    const a = await createTestAssistant({ model });
    const { id } = await a.service.create('u1');
    const reply = await a.handleTurn({ userId: 'u1', conversationId: id, input: { kind: 'text', text: UNSURE } });
    expect(reply.text).toBe('A plain answer.');
    expect(reply.skill).toBeUndefined();
    expect(model.requests).toHaveLength(2);
    expect(model.requests[1]?.tools).toBeUndefined();
  });

  it('derives each tool schema from the skill definition and validates calls against it', () => {
    const registry = new SkillRegistry([new WeatherSkill(new FixedWeatherProvider())]);
    expect(skillTools(registry)[0]).toMatchObject({
      name: 'weather_current',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false },
    });
    expect(validateToolCall({ name: 'weather_current', arguments: { city: ' Oslo ' } }, registry)).toEqual({
      skill: 'weather',
      intent: 'weather.current',
      slots: { city: 'Oslo' },
    });
    for (const bad of [
      { name: 'weather_current', arguments: { town: 'Oslo' } },
      { name: 'weather_current', arguments: 'Oslo' },
      { name: 'launch_rocket', arguments: {} },
    ])
      expect(validateToolCall(bad, registry)).toBeUndefined();
  });
});
