import { afterEach, describe, expect, it } from 'vitest';
import { createHttpHarness, expectProblem, silentWav, toneWav, turnUrl, type HttpHarness } from './http-harness.js';

describe('HTTP POST /v1/conversations/:id/turns, bad input answered with a precise 4xx or 5xx problem', () => {
  let h: HttpHarness;
  afterEach(() => h.app.close());

  it('answers an audio turn without a recognizer with a 501 problem that says to send text', async () => {
    // Prepare
    h = await createHttpHarness();
    const id = await h.conversation();

    // Act
    const response = await h.postTurn(id, { audio: { data: toneWav().toString('base64'), format: 'wav' } });

    // Assess
    const problem = expectProblem(response, 501, 'CAPABILITY_MISSING');
    expect(problem.detail).toMatch(/speech recognizer.*send text instead/);
    expect((await h.assistant.service.get('alice', id)).version).toBe(0);
  });

  it('rejects audio that is not a WAV file', async () => {
    h = await createHttpHarness();
    const id = await h.conversation();
    const response = await h.postTurn(id, {
      audio: { data: Buffer.from('not a wav file').toString('base64'), format: 'wav' },
    });
    expect(expectProblem(response, 422, 'AUDIO_CORRUPT').detail).toMatch(
      /WAV file cannot be read: not a RIFF\/WAVE file/,
    );
  });

  it('rejects bad turn bodies with 400 problems naming the field', async () => {
    // Prepare
    h = await createHttpHarness();
    const id = await h.conversation();
    const headers = await h.as('alice');
    const wav = silentWav().toString('base64');
    const cases: [unknown, string][] = [
      [{}, ''],
      [{ text: '' }, '/text'],
      [{ text: 'x'.repeat(2001) }, '/text'],
      [{ text: 42 }, '/text'],
      [{ text: ['hello'] }, '/text'],
      [{ text: 'hello', audio: { data: wav, format: 'wav' } }, ''],
      [{ text: 'hello', mood: 'happy' }, '/mood'],
      [{ audio: { data: 'not base64!', format: 'wav' } }, '/audio/data'],
      [{ audio: { data: 'QUJD\nREVG', format: 'wav' } }, '/audio/data'],
      [{ audio: { data: 'QUJDR', format: 'wav' } }, '/audio/data'],
      [{ audio: { data: wav } }, '/audio/format'],
      [{ text: 'hello', speech: { format: 'aac' } }, '/speech/format'],
      [{ text: 'hello', speech: { rate: 2 } }, '/speech/rate'],
    ];

    // Act & Assess
    for (const [payload, pointer] of cases) {
      const response = await h.app.inject({ method: 'POST', url: turnUrl(id), headers, payload: payload as object });
      const problem = expectProblem(response, 400, 'VALIDATION');
      expect(
        problem.errors?.map((e) => e.pointer),
        JSON.stringify(payload).slice(0, 80),
      ).toContain(pointer);
    }
    expect((await h.assistant.service.get('alice', id)).version).toBe(0);
  });

  it('rejects whitespace-only text from the core as 400', async () => {
    h = await createHttpHarness();
    const id = await h.conversation();
    expectProblem(
      await h.app.inject({ method: 'POST', url: turnUrl(id), headers: await h.as('alice'), payload: { text: '   ' } }),
      400,
      'VALIDATION',
    );
  });

  it('answers 413 when the decoded audio is over the limit, and when the body is over the route limit', async () => {
    // Prepare
    h = await createHttpHarness({ app: { maxAudioBytes: 1000, audioBodyLimitBytes: 64 * 1024 } });
    const id = await h.conversation();
    const headers = await h.as('alice');

    // Act
    const decoded = await h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers,
      payload: { audio: { data: silentWav(1000).toString('base64'), format: 'wav' } },
    });
    const body = await h.app.inject({
      method: 'POST',
      url: turnUrl(id),
      headers,
      payload: { audio: { data: silentWav(40_000).toString('base64'), format: 'wav' } },
    });

    // Assess
    expect(expectProblem(decoded, 413, 'AUDIO_TOO_LARGE').limitBytes).toBe(1000);
    expectProblem(body, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts a turn body larger than the default body limit up to the audio limit', async () => {
    h = await createHttpHarness({ app: { bodyLimitBytes: 1024 } });
    const id = await h.conversation();
    const response = await h.postTurn(id, { audio: { data: toneWav(4000).toString('base64'), format: 'wav' } });
    expectProblem(response, 501, 'CAPABILITY_MISSING');
  });

  it('refuses text over the configured MAX_TEXT_LENGTH in the schema, the same limit the core enforces', async () => {
    // Prepare
    h = await createHttpHarness({ assistant: { env: { MAX_TEXT_LENGTH: '40' } } });
    const id = await h.conversation();
    const headers = await h.as('alice');
    const turn = (text: string) => h.app.inject({ method: 'POST', url: turnUrl(id), headers, payload: { text } });

    // Act
    const tooLong = await turn('x'.repeat(41));
    const atLimit = await turn('x'.repeat(40));

    // Assess
    const problem = expectProblem(tooLong, 400, 'VALIDATION');
    expect(problem.errors).toContainEqual(expect.objectContaining({ in: 'body', pointer: '/text' }));
    expect(atLimit.statusCode, atLimit.body).toBe(200);
    await expect(
      h.assistant.handleTurn({ userId: 'alice', conversationId: id, input: { kind: 'text', text: 'x'.repeat(41) } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await h.assistant.service.get('alice', id)).version).toBe(1);
  });

  it('answers 415 for a body that is not JSON and 400 for malformed JSON', async () => {
    h = await createHttpHarness();
    const id = await h.conversation();
    const headers = await h.as('alice');
    const send = (contentType: string, payload: string) =>
      h.app.inject({ method: 'POST', url: turnUrl(id), headers: { ...headers, 'content-type': contentType }, payload });
    expectProblem(await send('text/plain', 'hello'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await send('application/xml', '<text/>'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await send('application/json', '{"text": hello}'), 400, 'MALFORMED_JSON');
    expectProblem(await send('application/json', '{"__proto__": {"x": 1}, "text": "hi"}'), 400);
  });

  it('answers 404 for an unknown conversation', async () => {
    h = await createHttpHarness();
    expectProblem(
      await h.app.inject({
        method: 'POST',
        url: turnUrl('nope'),
        headers: await h.as('alice'),
        payload: { text: 'hello' },
      }),
      404,
      'CONVERSATION_NOT_FOUND',
    );
  });
});
