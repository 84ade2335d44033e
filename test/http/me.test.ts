import { afterEach, describe, expect, it } from 'vitest';
import { createHttpHarness, expectProblem, type HttpHarness } from './http-harness.js';

describe('HTTP /v1/me', () => {
  let h: HttpHarness;
  afterEach(() => h.app.close());

  it('reads my preferences with the defaults filled in', async () => {
    h = await createHttpHarness();
    const response = await h.app.inject({ method: 'GET', url: '/v1/me/preferences', headers: await h.as('alice') });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ language: 'en-US', units: 'metric', timeZone: 'UTC' });
  });

  it('changes some preferences and keeps the rest, for me only', async () => {
    // Prepare
    h = await createHttpHarness();
    const headers = await h.as('alice');

    // Act
    const patched = await h.app.inject({
      method: 'PATCH',
      url: '/v1/me/preferences',
      headers,
      payload: { units: 'imperial', homeCity: 'Oslo', timeZone: 'Europe/Oslo' },
    });
    const read = await h.app.inject({ method: 'GET', url: '/v1/me/preferences', headers });
    const bob = await h.app.inject({ method: 'GET', url: '/v1/me/preferences', headers: await h.as('bob') });

    // Assess
    expect(patched.statusCode).toBe(200);
    const expected = { language: 'en-US', units: 'imperial', timeZone: 'Europe/Oslo', homeCity: 'Oslo' };
    expect(patched.json()).toEqual(expected);
    expect(read.json()).toEqual(expected);
    expect(bob.json().units).toBe('metric');
  });

  it('uses my saved preferences in the next turn', async () => {
    h = await createHttpHarness();
    const headers = await h.as('alice');
    await h.app.inject({
      method: 'PATCH',
      url: '/v1/me/preferences',
      headers,
      payload: { homeCity: 'Oslo', units: 'imperial' },
    });
    const { id } = await h.assistant.service.create('alice');
    const reply = await h.app.inject({
      method: 'POST',
      url: `/v1/conversations/${id}/turns`,
      headers,
      payload: { text: "what's the weather" },
    });
    expect(reply.json().text).toMatch(/^In Oslo it's 64 degrees Fahrenheit/);
  });

  it('rejects bad preference changes with 400 and changes nothing', async () => {
    // Prepare
    h = await createHttpHarness();
    const headers = await h.as('alice');
    const cases: [unknown, string][] = [
      [{}, ''],
      [{ units: 'kelvin' }, '/units'],
      [{ theme: 'dark' }, '/theme'],
      [{ voice: '' }, '/voice'],
      [{ language: 'not a language!' }, '/language'],
      [{ homeCity: 12 }, '/homeCity'],
      [{ timeZone: 'Mars/Olympus_Mons' }, ''],
    ];

    // Act & Assess
    for (const [payload, pointer] of cases) {
      const problem = expectProblem(
        await h.app.inject({ method: 'PATCH', url: '/v1/me/preferences', headers, payload: payload as object }),
        400,
        'VALIDATION',
      );
      if (pointer)
        expect(
          problem.errors?.map((e) => e.pointer),
          JSON.stringify(payload),
        ).toContain(pointer);
    }
    await expect(h.assistant.service.getPreferences('alice')).resolves.toEqual({
      language: 'en-US',
      units: 'metric',
      timeZone: 'UTC',
    });
  });

  it('names the time zone the core refused', async () => {
    h = await createHttpHarness();
    const response = await h.app.inject({
      method: 'PATCH',
      url: '/v1/me/preferences',
      headers: await h.as('alice'),
      payload: { timeZone: 'Mars/Olympus_Mons' },
    });
    expect(expectProblem(response, 400, 'VALIDATION').detail).toMatch(/not an IANA time zone/);
  });

  it('erases all my data and reports the counts, leaving other users alone', async () => {
    // Prepare
    h = await createHttpHarness();
    const headers = await h.as('alice');
    await h.assistant.service.create('alice');
    await h.assistant.service.create('alice');
    await h.assistant.service.updatePreferences('alice', { homeCity: 'Rome' });
    const { id: bobs } = await h.assistant.service.create('bob');

    // Act
    const erased = await h.app.inject({ method: 'DELETE', url: '/v1/me', headers });
    const again = await h.app.inject({ method: 'DELETE', url: '/v1/me', headers });

    // Assess
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toEqual({ conversations: 2, profile: true });
    expect(again.json()).toEqual({ conversations: 0, profile: false });
    await expect(h.assistant.service.list('alice', { limit: 10 })).resolves.toEqual({ items: [] });
    await expect(h.assistant.service.get('bob', bobs)).resolves.toMatchObject({ id: bobs });
  });
});
