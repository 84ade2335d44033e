import http from 'node:http';

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  /** The path and body of the n-th request. */
  request: (n: number) => { path: string; body: string };
  /** A request slower than this counts as an error (and its socket is dropped). */
  timeoutMs: number;
}

export interface LoadFigures {
  requests: number;
  seconds: number;
  ok: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  /** Milliseconds, over completed requests. */
  latency: { p50: number; p90: number; p99: number; max: number };
  /** How long opening every connection took, before the timed run. */
  connectMs: number;
}

/**
 * Keeps `connections` requests in flight on keep-alive connections for `seconds`. Unlike autocannon, it opens every
 * connection first (one cheap GET /health each) and only then starts the clock: a Node server saturated by the first
 * connections' turns accepts the remaining ones about one per event-loop turn, and that start-up artefact of the load
 * generator would otherwise dominate the tail.
 */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.connections,
    maxFreeSockets: options.connections,
  });
  const base = new URL(options.url);
  const send = (method: string, path: string, body?: string) =>
    new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          host: base.hostname,
          port: base.port,
          method,
          path,
          agent,
          timeout: options.timeoutMs,
          headers: { ...options.headers, ...(body && { 'content-type': 'application/json' }) },
        },
        (response) => {
          response.resume();
          response.once('end', () => resolve(response.statusCode ?? 0));
          response.once('error', reject);
        },
      );
      request.once('timeout', () => request.destroy(new TimeoutError()));
      request.once('error', reject);
      request.end(body);
    });

  try {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: options.connections }, () => send('GET', '/health')));
    const connectMs = performance.now() - t0;

    const latencies: number[] = [];
    const figures = { ok: 0, non2xx: 0, socketErrors: 0, timeouts: 0 };
    let next = 0;
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    const worker = async () => {
      while (performance.now() < deadline) {
        const { path, body } = options.request((next += 1));
        const sent = performance.now();
        try {
          const status = await send('POST', path, body);
          latencies.push(performance.now() - sent);
          if (status >= 200 && status < 300) figures.ok += 1;
          else figures.non2xx += 1;
        } catch (error) {
          if (error instanceof TimeoutError) figures.timeouts += 1;
          else figures.socketErrors += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: options.connections }, worker));
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0);
    return {
      requests: latencies.length + figures.socketErrors + figures.timeouts,
      seconds: elapsed,
      ...figures,
      latency: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(latencies.at(-1) ?? 0) },
      connectMs,
    };
  } finally {
    agent.destroy();
  }
}

class TimeoutError extends Error {
  constructor() {
    super('request timed out');
    this.name = 'TimeoutError';
  }
}
