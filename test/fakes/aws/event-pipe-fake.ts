import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../../../core/model/events.js';
import type { EventPublisher } from '../../../core/ports/event-publisher.js';
import type { EventRelay } from '../../../core/ports/event-relay.js';
import { TEST_AWS_CLIENT_CONFIG } from './fake-aws-server.js';

/** An event item as the Pipe reads it from the stream's NewImage (dynamodb-table-design.md, "Events"). */
export interface PipedEvent {
  source: string;
  detailType: string;
  /** The JSON text the Pipe hands on as the bus event's detail. */
  detail: string;
  eventId: string;
}

/**
 * Stands in for the DynamoDB stream and the EventBridge Pipe in tests: every event item written to the table since
 * the last call is handed on once, in key order (a conversation's events in the order they were written), through
 * the same attributes the Pipe maps. It scans instead of reading a stream, so it suits small test tables only.
 */
export class EventPipeFake implements EventRelay {
  private readonly seen = new Set<string>();
  private running: Promise<boolean> = Promise.resolve(true);
  readonly delivered: PipedEvent[] = [];

  constructor(
    private readonly options: {
      client: Pick<DynamoDBDocumentClient, 'send'>;
      tableName: string;
      deliver: (events: PipedEvent[]) => Promise<void>;
    },
  ) {}

  /** A Pipe into a publisher, as the bus's consumers would see it: the detail parsed back into the event. */
  static toPublisher(client: Pick<DynamoDBDocumentClient, 'send'>, tableName: string, publisher: EventPublisher) {
    return new EventPipeFake({
      client,
      tableName,
      deliver: (events) => publisher.publish({ events: events.map((e) => JSON.parse(e.detail) as DomainEvent) }),
    });
  }

  /** A Pipe into an EventBridge bus, putting each item's source, detailType and detail as the real Pipe maps them. */
  static toEventBridge(
    client: Pick<DynamoDBDocumentClient, 'send'>,
    tableName: string,
    bus: { endpoint: string; eventBusName: string },
  ) {
    const eventBridge = new EventBridgeClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: bus.endpoint });
    return new EventPipeFake({
      client,
      tableName,
      deliver: async (events) => {
        for (let start = 0; start < events.length; start += 10) {
          await eventBridge.send(
            new PutEventsCommand({
              Entries: events.slice(start, start + 10).map((event) => ({
                EventBusName: bus.eventBusName,
                Source: event.source,
                DetailType: event.detailType,
                Detail: event.detail,
              })),
            }),
          );
        }
      },
    });
  }

  deliverPending(): Promise<boolean> {
    // One pass at a time, as one Pipe reads a shard in order.
    this.running = this.running.then(() =>
      this.pass().then(
        () => true,
        () => false,
      ),
    );
    return this.running;
  }

  private async pass(): Promise<void> {
    const fresh: (PipedEvent & { key: string })[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.options.client.send(
        new ScanCommand({
          TableName: this.options.tableName,
          ConsistentRead: true,
          FilterExpression: '#type = :event',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':event': 'event' },
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const key = `${String(item.pk)}|${String(item.sk)}`;
        if (this.seen.has(key)) continue;
        fresh.push({
          key,
          source: String(item.source),
          detailType: String(item.detailType),
          detail: String(item.detail),
          eventId: String(item.eventId),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    fresh.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (fresh.length === 0) return;
    const events = fresh.map(({ key: _key, ...event }) => event);
    await this.options.deliver(events);
    for (const event of fresh) this.seen.add(event.key);
    this.delivered.push(...events);
  }
}
