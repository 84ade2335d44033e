import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../../../core/model/events.js';
import { startFakeAwsServer, type FakeReply } from './fake-aws-server.js';

/** One PutEvents entry as it arrived on the wire, `Time` turned back into ISO text. */
export interface ReceivedEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: string;
  /** The domain event id inside `Detail`, which the fake's failure rules go by. */
  eventId: string;
}

export interface EventBridgeFake {
  url: string;
  /** Every PutEvents request's entries, in arrival order, failed ones included. */
  requests: ReceivedEntry[][];
  /** Entries the bus accepted, in order; an event re-sent after a failure appears once per acceptance. */
  published: ReceivedEntry[];
  /** The accepted events, each id once: what subscribers of the bus would have seen. */
  events(): DomainEvent[];
  /** Reports the entry carrying this event id as failed the next time it is sent, then accepts it. */
  failOnce(eventId: string, code?: string): void;
  /** Reports the entry carrying this event id as failed every time. */
  failAlways(eventId: string, code?: string): void;
  /** Answers the next `requests` PutEvents calls as a whole with ThrottlingException. */
  throttle(requests: number): void;
  close(): Promise<void>;
}

/** EventBridge's documented request limits, enforced like the service so the adapter's batching is really tested. */
const MAX_ENTRIES = 10;
const MAX_BYTES = 256 * 1024;

/** A loopback EventBridge speaking awsJson 1.1 (`X-Amz-Target: AWSEvents.PutEvents`) to the real SDK client. */
export async function startEventBridgeFake(): Promise<EventBridgeFake> {
  const requests: ReceivedEntry[][] = [];
  const published: ReceivedEntry[] = [];
  const failures = new Map<string, { code: string; times: number }>();
  let throttled = 0;

  const server = await startFakeAwsServer({
    'AWSEvents.PutEvents': (request): FakeReply => {
      const body = request.json() as { Entries?: Record<string, unknown>[] };
      const entries = (body.Entries ?? []).map(received);
      requests.push(entries);
      if (throttled > 0) {
        throttled -= 1;
        return { status: 400, errorType: 'ThrottlingException', message: 'Rate exceeded' };
      }
      if (entries.length === 0 || entries.length > MAX_ENTRIES) {
        return {
          status: 400,
          errorType: 'ValidationException',
          message: `Entries must hold 1 to ${MAX_ENTRIES} items, got ${entries.length}`,
        };
      }
      if (entries.reduce((sum, entry) => sum + size(entry), 0) > MAX_BYTES) {
        return {
          status: 400,
          errorType: 'ValidationException',
          message: 'Total size of the entries in the request is over the limit.',
        };
      }
      let failed = 0;
      const results = entries.map((entry) => {
        const rule = failures.get(entry.eventId);
        if (rule && rule.times !== 0) {
          rule.times -= 1;
          failed += 1;
          return { ErrorCode: rule.code, ErrorMessage: `fake failure ${rule.code}` };
        }
        published.push(entry);
        return { EventId: randomUUID() };
      });
      return {
        json: { FailedEntryCount: failed, Entries: results },
        headers: { 'content-type': 'application/x-amz-json-1.1' },
      };
    },
  });

  return {
    url: server.url,
    requests,
    published,
    events: () => {
      const byId = new Map<string, DomainEvent>();
      for (const entry of published) {
        const event = JSON.parse(entry.Detail ?? 'null') as DomainEvent;
        if (!byId.has(event.id)) byId.set(event.id, event);
      }
      return [...byId.values()];
    },
    failOnce: (eventId, code = 'InternalFailure') => void failures.set(eventId, { code, times: 1 }),
    failAlways: (eventId, code = 'InternalFailure') => void failures.set(eventId, { code, times: -1 }),
    throttle: (count) => void (throttled = count),
    close: () => server.close(),
  };
}

function received(raw: Record<string, unknown>): ReceivedEntry {
  const detail = typeof raw['Detail'] === 'string' ? raw['Detail'] : undefined;
  let eventId = '';
  try {
    eventId = String((JSON.parse(detail ?? '{}') as { id?: string }).id ?? '');
  } catch {
    // A Detail that is not JSON is the service's MalformedDetail case; the id simply stays unknown here.
  }
  // awsJson sends timestamps as epoch seconds.
  const time = typeof raw['Time'] === 'number' ? new Date(raw['Time'] * 1000).toISOString() : undefined;
  return { ...(raw as Omit<ReceivedEntry, 'Time' | 'eventId'>), ...(time && { Time: time }), eventId };
}

function size(entry: ReceivedEntry): number {
  const utf8 = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time ? 14 : 0) +
    utf8(entry.Source) +
    utf8(entry.DetailType) +
    utf8(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + utf8(resource), 0)
  );
}
