import autocannon from 'autocannon';
import type { Target } from './target-process.js';

export interface HttpFigures {
  rps: number;
  p99: number;
  errors: number;
}

/** The body every POST of the bench sends: a turn the embedded time skill answers, nothing leaves the machine. */
const BODY = JSON.stringify({ text: 'what time is it' });

/**
 * Keeps `connections` requests in flight against `target` for `seconds` (autocannon). Turns on one conversation run one
 * at a time by design, so requests rotate over the target's paths (one conversation per connection).
 */
export async function httpLoad(
  target: Target,
  options: { seconds: number; connections: number },
): Promise<HttpFigures> {
  let next = 0;
  const post = target.method === 'POST';
  const result = await autocannon({
    url: target.url,
    method: target.method,
    connections: options.connections,
    duration: options.seconds,
    ...(post && { body: BODY }),
    headers: { ...(post && { 'content-type': 'application/json' }), ...target.headers },
    requests: [{ setupRequest: (request) => ({ ...request, path: target.paths[(next += 1) % target.paths.length] }) }],
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}
