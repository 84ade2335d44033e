import { createServer, type Http2ServerResponse, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { dispatch, type FakeAwsServer, type FakeReply, type RecordedRequest } from './fake-aws-server.js';

export type H2FakeHandler = (request: RecordedRequest, response: Http2ServerResponse) => FakeReply | Promise<FakeReply>;

export interface FakeAwsH2Server extends Omit<FakeAwsServer, 'on'> {
  on(route: string, handler: H2FakeHandler): void;
}

/**
 * The HTTP/2 twin of startFakeAwsServer, without TLS (h2c, prior knowledge). The Lex Runtime V2, Polly and Transcribe
 * Streaming clients all default to NodeHttp2Handler, which speaks h2c to an `http://` endpoint; serving them over
 * HTTP/2 tests the adapters with the transport they use in production. Same routing and reply shapes as the HTTP/1.1
 * fake: `X-Amz-Target` first, then the longest `METHOD /path` prefix.
 */
export async function startFakeAwsH2Server(routes: Record<string, H2FakeHandler> = {}): Promise<FakeAwsH2Server> {
  const handlers = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const sessions = new Set<Http2Session>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // The client may have reset the stream (an abort) while the handler was still working.
      dispatch<Http2ServerResponse>(
        handlers,
        requests,
        { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) },
        res,
        () => res.stream.destroyed,
      );
    });
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (route, handler) => handlers.set(route, handler),
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
