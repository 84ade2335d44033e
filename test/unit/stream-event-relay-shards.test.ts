import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { DynamoDbStreamEventRelay, eventOf } from '../../adapters/aws/dynamodb/stream-event-relay.js';
import type { DomainEvent } from '../../core/model/events.js';

/*
 * Shard handling the DynamoDB Local stream cannot show (it never splits a shard): a scripted stream whose shards
 * close and have children, and whose iterators expire.
 */

interface ScriptedShard {
  parent?: string;
  records: StreamRecord[];
  closed: boolean;
}

let sequence = 0;
const event = (id: string): DomainEvent => ({
  type: 'SessionStarted',
  id,
  at: '2026-12-01T00:00:00.000Z',
  userId: 'u',
  conversationId: 'c',
});
const insert = (e: DomainEvent, type = 'event'): StreamRecord => ({
  eventName: 'INSERT',
  dynamodb: {
    SequenceNumber: String((sequence += 1)).padStart(21, '0'),
    NewImage: { type: { S: type }, detailType: { S: e.type }, source: { S: 'test' }, detail: { S: JSON.stringify(e) } },
  },
});

class ScriptedStream {
  readonly shards = new Map<string, ScriptedShard>();
  readonly reads: string[] = [];
  expireNext = false;

  send = async (command: object): Promise<unknown> => {
    if (command instanceof ListStreamsCommand) return { Streams: [{ StreamArn: 'arn:stream' }] };
    if (command instanceof DescribeStreamCommand) {
      return {
        StreamDescription: {
          StreamStatus: 'ENABLED',
          Shards: [...this.shards].map(([ShardId, shard]) => ({
            ShardId,
            ParentShardId: shard.parent,
            SequenceNumberRange: { StartingSequenceNumber: '0', ...(shard.closed && { EndingSequenceNumber: '9' }) },
          })),
        },
      };
    }
    if (command instanceof GetShardIteratorCommand) {
      const { ShardId, ShardIteratorType, SequenceNumber } = command.input;
      const records = this.shards.get(ShardId!)!.records;
      const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === SequenceNumber);
      const position = {
        TRIM_HORIZON: 0,
        LATEST: records.length,
        AT_SEQUENCE_NUMBER: index,
        AFTER_SEQUENCE_NUMBER: index + 1,
      }[ShardIteratorType!];
      return { ShardIterator: `${ShardId}@${position}` };
    }
    if (command instanceof GetRecordsCommand) {
      if (this.expireNext) {
        this.expireNext = false;
        throw Object.assign(new Error('expired'), { name: 'ExpiredIteratorException' });
      }
      const [shardId, at] = command.input.ShardIterator!.split('@') as [string, string];
      const shard = this.shards.get(shardId)!;
      const records = shard.records.slice(Number(at), Number(at) + 2); // small batches
      if (records.length > 0) this.reads.push(shardId);
      const next = Number(at) + records.length;
      const ended = shard.closed && next >= shard.records.length;
      return { Records: records, NextShardIterator: ended ? undefined : `${shardId}@${next}` };
    }
    throw new Error(`unexpected ${command.constructor.name}`);
  };
}

function relayOn(stream: ScriptedStream, start: 'latest' | 'trim-horizon' = 'trim-horizon') {
  const published: string[] = [];
  const relay = new DynamoDbStreamEventRelay({
    tableName: 't',
    client: stream,
    start,
    telemetry: { warn: () => undefined, error: () => undefined },
    transport: { publish: async ({ events }) => void published.push(...events.map((e) => e.id)) },
    shardRefreshMs: 0,
  });
  return { relay, published };
}

describe('DynamoDbStreamEventRelay shards', () => {
  it('reads a child only after its closed parent is read to its end, and a child that appears later from its start', async () => {
    const stream = new ScriptedStream();
    stream.shards.set('child', { parent: 'parent', records: [insert(event('c1'))], closed: false });
    stream.shards.set('parent', {
      records: [insert(event('p1')), insert(event('p2')), insert(event('p3'), 'turn')],
      closed: true,
    });
    const { relay, published } = relayOn(stream);
    expect(await relay.deliverPending()).toBe(true);
    expect(published).toEqual(['p1', 'p2', 'c1']);
    expect(stream.reads).toEqual(['parent', 'parent', 'child']);

    // The child splits: it closes after one more record, and a grandchild appears.
    stream.shards.get('child')!.records.push(insert(event('c2')));
    stream.shards.get('child')!.closed = true;
    stream.shards.set('grandchild', { parent: 'child', records: [insert(event('g1'))], closed: false });
    expect(await relay.deliverPending()).toBe(true);
    expect(published).toEqual(['p1', 'p2', 'c1', 'c2', 'g1']);
  });

  it('with latest skips closed shards at the start and reads open ones from now on', async () => {
    const stream = new ScriptedStream();
    stream.shards.set('old', { records: [insert(event('o1'))], closed: true });
    stream.shards.set('open', { parent: 'old', records: [insert(event('before'))], closed: false });
    const { relay, published } = relayOn(stream, 'latest');
    expect(await relay.deliverPending()).toBe(true);
    stream.shards.get('open')!.records.push(insert(event('after')));
    expect(await relay.deliverPending()).toBe(true);
    expect(published).toEqual(['after']);
  });

  it('reopens an expired iterator after the last delivered record', async () => {
    const stream = new ScriptedStream();
    stream.shards.set('s', { records: [insert(event('a'))], closed: false });
    const { relay, published } = relayOn(stream);
    await relay.deliverPending();
    stream.shards.get('s')!.records.push(insert(event('b')));
    stream.expireNext = true;
    await relay.deliverPending();
    await relay.deliverPending();
    expect(published).toEqual(['a', 'b']);
  });

  it('maps only INSERTs of event items, to the event their detail holds', () => {
    const e = event('x');
    expect(eventOf(insert(e))).toEqual(e);
    expect(eventOf(insert(e, 'turn'))).toBeUndefined();
    expect(eventOf({ ...insert(e), eventName: 'REMOVE' })).toBeUndefined();
    expect(eventOf({ ...insert(e), eventName: 'MODIFY' })).toBeUndefined();
  });
});
