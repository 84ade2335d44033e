import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebRtcVoiceActivityDetector } from '../../adapters/local/webrtc-voice-activity-detector.js';
import type { Telemetry } from '../../core/ports/telemetry.js';
import { createHttpHarness, type HttpHarness } from './http-harness.js';

const telemetry: Telemetry = {
  metric: () => undefined,
  span: (_name, fn) => fn(),
  warn: () => undefined,
  error: () => undefined,
};

/** An app with the voice route, listening on loopback. */
async function voiceApp(): Promise<HttpHarness> {
  const h = await createHttpHarness({
    wrap: () => ({ voice: { telemetry, createVad: () => WebRtcVoiceActivityDetector.create() } }),
  });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return h;
}

/**
 * Sends an upgrade request to `path` on a raw connection; resolves with what came back and whether the server closed
 * the connection within 3 s.
 */
async function upgrade(
  h: HttpHarness,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; closed: boolean }> {
  const { port } = h.app.server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const lines = Object.entries({
    host: 'localhost',
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-protocol': 'voice.v1',
    ...headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`);
  const closed = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000)),
  ]);
  socket.destroy();
  const [head = '', body = ''] = received.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), body, closed };
}

describe('upgrade requests and the voice route', () => {
  let h: HttpHarness;
  afterEach(() => h.app.close());

  it('answers an upgrade to any other path as plain HTTP, then closes the connection', async () => {
    // Prepare
    h = await voiceApp();
    const { authorization = '' } = await h.as('alice');

    // Act
    const health = await upgrade(h, '/health');
    const anonymous = await upgrade(h, '/v1/skills');
    const signedIn = await upgrade(h, '/v1/skills', { authorization });
    const unknown = await upgrade(h, '/v1/voice/more');

    // Assess
    expect(health).toMatchObject({ status: 200, closed: true });
    expect(anonymous).toMatchObject({ status: 401, closed: true });
    expect(signedIn).toMatchObject({ status: 200, closed: true });
    expect(JSON.parse(signedIn.body)).toHaveProperty('skills');
    expect(unknown).toMatchObject({ status: 404, closed: true });
  });

  it('closes the connection of a refused voice upgrade once the refusal is sent', async () => {
    // Prepare
    h = await voiceApp();
    const { authorization = '' } = await h.as('alice');

    // Act
    const anonymous = await upgrade(h, '/v1/voice');
    const withoutProtocol = await upgrade(h, '/v1/voice?x=1', { authorization, 'sec-websocket-protocol': 'chat' });

    // Assess
    expect(anonymous).toMatchObject({ status: 401, closed: true });
    expect(withoutProtocol).toMatchObject({ status: 400, closed: true });
  });

  it('keeps the websocket plugin out of every other route: no request decorator or hook at the root', async () => {
    h = await voiceApp();
    expect(h.app.hasRequestDecorator('ws')).toBe(false);
  });
});
