import { afterEach, describe, expect, it } from 'vitest';
import { createHttpHarness, expectProblem, type HttpHarness } from './http-harness.js';

/** Turn fields the store keeps for the core and the API never answers. */
const INTERNAL = ['idempotencyKey', 'route', 'endConversation'];

describe('HTTP /v1/conversations', () => {
  let h: HttpHarness;
  afterEach(() => h.app.close());

  it('creates a conversation: 201, its summary and a Location header', async () => {
    // Prepare
    h = await createHttpHarness();

    // Act
    const response = await h.app.inject({
      method: 'POST',
      url: '/v1/conversations',
      headers: await h.as('alice'),
      payload: { title: 'Trip' },
    });

    // Assess
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toEqual({
      id: expect.any(String),
      title: 'Trip',
      createdAt: '2026-03-01T09:30:00.000Z',
      updatedAt: '2026-03-01T09:30:00.000Z',
      turnCount: 0,
      version: 0,
    });
    expect(response.headers.location).toBe(`/v1/conversations/${body.id}`);
    await expect(h.assistant.service.get('alice', body.id)).resolves.toMatchObject({ title: 'Trip' });
  });

  it('creates a conversation without a body', async () => {
    h = await createHttpHarness();
    const response = await h.app.inject({ method: 'POST', url: '/v1/conversations', headers: await h.as('alice') });
    expect(response.statusCode).toBe(201);
    expect(response.json().title).toBeUndefined();
  });

  it('lists only my conversations, paginated with a cursor', async () => {
    // Prepare
    h = await createHttpHarness();
    const headers = await h.as('alice');
    for (let i = 0; i < 3; i += 1) await h.assistant.service.create('alice', { title: `c${i}` });
    await h.assistant.service.create('bob', { title: 'not mine' });

    // Act
    const first = await h.app.inject({ method: 'GET', url: '/v1/conversations?limit=2', headers });
    const second = await h.app.inject({
      method: 'GET',
      url: `/v1/conversations?limit=2&cursor=${first.json().nextCursor}`,
      headers,
    });

    // Assess
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toHaveLength(2);
    expect(first.json().nextCursor).toEqual(expect.any(String));
    expect(second.json().items).toHaveLength(1);
    expect(second.json().nextCursor).toBeUndefined();
    const titles = [...first.json().items, ...second.json().items].map((c: { title: string }) => c.title).sort();
    expect(titles).toEqual(['c0', 'c1', 'c2']);
  });

  it('lists 20 by default', async () => {
    h = await createHttpHarness();
    for (let i = 0; i < 25; i += 1) await h.assistant.service.create('alice');
    const response = await h.app.inject({ method: 'GET', url: '/v1/conversations', headers: await h.as('alice') });
    expect(response.json().items).toHaveLength(20);
  });

  it('reads a conversation header, with the pending question but no other dialogue state', async () => {
    // Prepare
    h = await createHttpHarness();
    const { id } = await h.assistant.service.create('alice');
    await h.assistant.handleTurn({
      userId: 'alice',
      conversationId: id,
      input: { kind: 'text', text: "what's the weather" },
    });

    // Act
    const response = await h.app.inject({
      method: 'GET',
      url: `/v1/conversations/${id}`,
      headers: await h.as('alice'),
    });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id,
      title: "what's the weather",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      turnCount: 2,
      version: 1,
      lastIntent: 'weather.current',
      pending: { intent: 'weather.current', slot: 'city' },
    });
  });

  it('pages through the turns of a conversation, oldest first', async () => {
    // Prepare
    h = await createHttpHarness();
    const headers = await h.as('alice');
    const { id } = await h.assistant.service.create('alice');
    await h.assistant.handleTurn({ userId: 'alice', conversationId: id, input: { kind: 'text', text: 'hello' } });
    await h.assistant.handleTurn({
      userId: 'alice',
      conversationId: id,
      input: { kind: 'text', text: 'what time is it' },
    });

    // Act
    const first = await h.app.inject({ method: 'GET', url: `/v1/conversations/${id}/turns?limit=3`, headers });
    const rest = await h.app.inject({
      method: 'GET',
      url: `/v1/conversations/${id}/turns?cursor=${first.json().nextCursor}`,
      headers,
    });

    // Assess
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((t: { role: string; text: string }) => [t.role, t.text])).toEqual([
      ['user', 'hello'],
      ['assistant', expect.stringMatching(/^Good morning/)],
      ['user', 'what time is it'],
    ]);
    expect(rest.json()).toEqual({
      items: [expect.objectContaining({ role: 'assistant', skill: 'time', intent: 'time.now' })],
    });
  });

  it('answers the stored turns with their public fields only: skill data whole, no internal field', async () => {
    // Prepare: a user turn with an idempotency key, a reply with skill data and its route, and one that ends the
    // conversation; the store keeps them all.
    h = await createHttpHarness();
    const headers = await h.as('alice');
    const { id } = await h.assistant.service.create('alice');
    const said = await h.app.inject({
      method: 'POST',
      url: `/v1/conversations/${id}/turns`,
      headers: { ...headers, 'idempotency-key': 'key-1' },
      payload: { text: 'what time is it' },
    });
    expect(said.statusCode).toBe(200);
    await h.assistant.handleTurn({ userId: 'alice', conversationId: id, input: { kind: 'text', text: 'goodbye' } });
    const stored = (await h.assistant.service.history('alice', id, { limit: 10 })).items;
    expect(stored.map((turn) => Object.keys(turn).filter((key) => INTERNAL.includes(key)))).toEqual([
      ['idempotencyKey'],
      ['route'],
      [],
      ['route', 'endConversation'],
    ]);

    // Act
    const response = await h.app.inject({ method: 'GET', url: `/v1/conversations/${id}/turns?limit=10`, headers });

    // Assess: each item is the stored turn less its internal fields, its data (an object in an object) included.
    expect(response.statusCode).toBe(200);
    const publicOf = (turn: object) =>
      Object.fromEntries(Object.entries(turn).filter(([key]) => !INTERNAL.includes(key)));
    expect(response.json()).toEqual({ items: stored.map(publicOf) });
    expect(response.json().items[1].data).toEqual({ iso: expect.any(String), timeZone: expect.any(String) });
  });

  it('deletes a conversation: 204, then 404', async () => {
    // Prepare
    h = await createHttpHarness();
    const headers = await h.as('alice');
    const { id } = await h.assistant.service.create('alice');

    // Act
    const deleted = await h.app.inject({ method: 'DELETE', url: `/v1/conversations/${id}`, headers });
    const again = await h.app.inject({ method: 'DELETE', url: `/v1/conversations/${id}`, headers });
    const read = await h.app.inject({ method: 'GET', url: `/v1/conversations/${id}`, headers });

    // Assess
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expectProblem(again, 404, 'CONVERSATION_NOT_FOUND');
    expectProblem(read, 404, 'CONVERSATION_NOT_FOUND');
  });

  it('rejects bad pagination and ids with a 400 problem naming the field', async () => {
    h = await createHttpHarness();
    const headers = await h.as('alice');
    const { id } = await h.assistant.service.create('alice');
    const cases: [string, string][] = [
      ['/v1/conversations?limit=0', '/limit'],
      ['/v1/conversations?limit=101', '/limit'],
      ['/v1/conversations?limit=abc', '/limit'],
      ['/v1/conversations?cursor=not%20a%20cursor', '/cursor'],
      ['/v1/conversations?sort=asc', '/sort'],
      [`/v1/conversations/${id}/turns?limit=-1`, '/limit'],
      ['/v1/conversations/bad%20id', '/id'],
    ];
    for (const [url, pointer] of cases) {
      const problem = expectProblem(await h.app.inject({ method: 'GET', url, headers }), 400, 'VALIDATION');
      expect(
        problem.errors?.map((e) => e.pointer),
        url,
      ).toContain(pointer);
    }
  });

  it('rejects a well-formed cursor the store cannot use with 400, not 500', async () => {
    h = await createHttpHarness();
    const headers = await h.as('alice');
    const { id } = await h.assistant.service.create('alice');
    const cursor = Buffer.from('not-a-number').toString('base64url');
    expectProblem(
      await h.app.inject({ method: 'GET', url: `/v1/conversations/${id}/turns?cursor=${cursor}`, headers }),
      400,
      'VALIDATION',
    );
  });

  it('rejects a bad create body: extra property, wrong type, empty title, malformed JSON', async () => {
    h = await createHttpHarness();
    const headers = { ...(await h.as('alice')), 'content-type': 'application/json' };
    const extra = expectProblem(
      await h.app.inject({ method: 'POST', url: '/v1/conversations', headers, payload: '{"title":"x","admin":true}' }),
      400,
      'VALIDATION',
    );
    expect(extra.errors).toEqual([{ in: 'body', pointer: '/admin', detail: 'is not allowed' }]);
    expectProblem(
      await h.app.inject({ method: 'POST', url: '/v1/conversations', headers, payload: '{"title":42}' }),
      400,
      'VALIDATION',
    );
    expectProblem(
      await h.app.inject({ method: 'POST', url: '/v1/conversations', headers, payload: '{"title":""}' }),
      400,
      'VALIDATION',
    );
    expectProblem(
      await h.app.inject({ method: 'POST', url: '/v1/conversations', headers, payload: '[]' }),
      400,
      'VALIDATION',
    );
    const malformed = expectProblem(
      await h.app.inject({ method: 'POST', url: '/v1/conversations', headers, payload: '{"title": "secret' }),
      400,
      'MALFORMED_JSON',
    );
    expect(malformed.detail).not.toContain('secret');
    expect(await h.assistant.service.list('alice', { limit: 10 })).toEqual({ items: [] });
  });
});
