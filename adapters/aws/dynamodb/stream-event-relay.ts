import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as StreamRecord,
  type DynamoDBStreamsClientConfig,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DomainEvent } from '../../../core/model/events.js';
import type { IoOptions } from '../../../core/model/io.js';
import type { EventPublisher } from '../../../core/ports/event-publisher.js';
import type { EventRelay } from '../../../core/ports/event-relay.js';
import type { Telemetry } from '../../../core/ports/telemetry.js';

/** Where the relay starts reading the shards that exist when it starts (see the class comment). */
export type StreamStart = 'latest' | 'trim-horizon';

export interface DynamoDbStreamEventRelayOptions {
  tableName: string;
  /** Receives each event item's event, in stream order (the EventBridge publisher on the aws profile). */
  transport: EventPublisher;
  telemetry: Pick<Telemetry, 'warn' | 'error'>;
  start?: StreamStart;
  client?: Pick<DynamoDBStreamsClient, 'send'>;
  clientConfig?: DynamoDBStreamsClientConfig;
  /** First pause after a round that found nothing; doubled per empty round up to `maxIdleMs`. */
  minIdleMs?: number;
  maxIdleMs?: number;
  /** How often the shard list is read again, for the children of split or closed shards. */
  shardRefreshMs?: number;
}

interface Round {
  /** Records were read or a shard was finished: another round right away may find more. */
  progressed: boolean;
  /** A shard's batch could not be delivered (it is read again next round). */
  failed: boolean;
}

interface ShardState {
  parentId: string | undefined;
  iterator: string | undefined;
  /** The last sequence number handed to the transport: the in-memory checkpoint. */
  checkpoint: string | undefined;
  /** The first record of a batch the transport refused: the shard is reopened at it. */
  retryAt: string | undefined;
  /** How a shard without checkpoint or iterator is (re)opened. */
  initial: ShardIteratorType;
}

/** Stream records DynamoDB Streams serves per GetRecords call at most (1,000), asked for explicitly. */
const RECORDS_PER_CALL = 1000;
/** Rounds `deliverPending` runs at most while they keep finding records. */
const DRAIN_ROUNDS = 10;

/**
 * The relay of the DynamoDB store's event items when no EventBridge Pipe reads the table's stream (the aws profile's
 * server against DynamoDB Local or a self-hosted table): it reads the stream itself and does what the Pipe's
 * configuration in deploy/cloudformation/events.yaml does — keeps `INSERT`s of items with `type` = `event`, takes
 * the item's `detail` (the event's JSON text, written through adapters/shared/event-envelope.ts) as the event, and
 * hands the events to the transport in stream order, at least once (consumers deduplicate by event id).
 *
 * Shards: a shard is read only after its parent is finished (or gone from the stream), so a conversation's events
 * stay in order across a split; a closed shard is finished when GetRecords returns no next iterator; the shard list
 * is read again every `shardRefreshMs` and whenever a shard closes. An iterator that expired (15 minutes) is
 * reopened after the checkpoint.
 *
 * Start and checkpoint: the checkpoint (last delivered sequence number per shard) lives in memory only, so a
 * restarted relay starts again from `start`. `trim-horizon` (the default) reads every record still in the stream
 * (24 hours): nothing written while the relay was stopped is lost, and events already delivered before the restart
 * are delivered again (at least once). `latest` reads only what is written after the relay opened its shards:
 * no redelivery after a restart, but every event written while it was stopped is lost (as it is for the Pipe, whose
 * StartingPosition is LATEST, only when it is first created).
 */
export class DynamoDbStreamEventRelay implements EventRelay {
  private readonly client: Pick<DynamoDBStreamsClient, 'send'>;
  private readonly ownsClient: DynamoDBStreamsClient | undefined;
  private readonly start: StreamStart;
  private readonly minIdleMs: number;
  private readonly maxIdleMs: number;
  private readonly shardRefreshMs: number;
  private readonly shards = new Map<string, ShardState>();
  private readonly finished = new Set<string>();
  private streamArn: string | undefined;
  private shardsReadAt = Number.NEGATIVE_INFINITY;
  private shardListStale = true;
  /** Rounds run one at a time, whether the loop or `deliverPending` asked for them. */
  private rounds: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;

  constructor(private readonly options: DynamoDbStreamEventRelayOptions) {
    this.ownsClient = options.client ? undefined : new DynamoDBStreamsClient(options.clientConfig ?? {});
    this.client = options.client ?? this.ownsClient!;
    this.start = options.start ?? 'trim-horizon';
    this.minIdleMs = options.minIdleMs ?? 250;
    this.maxIdleMs = options.maxIdleMs ?? 5_000;
    this.shardRefreshMs = options.shardRefreshMs ?? 60_000;
  }

  /** Starts reading in the background; the shards that exist now are opened at `start`. Once only: not after stop. */
  startPolling(): void {
    if (this.loop || this.stopping.signal.aborted) return;
    this.loop = this.run();
  }

  /**
   * Stops for good: the pause or the call in flight is cut short, it resolves when the last round ended, and later
   * `deliverPending` calls do nothing (they resolve `true`, as a relay that runs elsewhere would).
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    await this.rounds.catch(() => undefined);
    this.ownsClient?.destroy();
  }

  async deliverPending(request: IoOptions = {}): Promise<boolean> {
    try {
      for (let round = 0; round < DRAIN_ROUNDS; round += 1) {
        if (request.signal?.aborted || this.stopping.signal.aborted) return true;
        const { progressed, failed } = await this.round();
        if (failed) return false;
        if (!progressed) return true;
      }
      return true;
    } catch {
      return false;
    }
  }

  private async run(): Promise<void> {
    let idleMs = this.minIdleMs;
    while (!this.stopping.signal.aborted) {
      let found = false;
      try {
        const { progressed, failed } = await this.round();
        found = progressed && !failed;
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        this.options.telemetry.warn('stream event relay round failed', { error: (error as Error).message });
      }
      idleMs = found ? this.minIdleMs : Math.min(idleMs * 2, this.maxIdleMs);
      if (!found) await this.pause(idleMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** One pass over every readable shard, serialised with any other pass. */
  private round(): Promise<Round> {
    const next = this.rounds.then(() => this.readShards());
    this.rounds = next.catch(() => undefined);
    return next;
  }

  private async readShards(): Promise<Round> {
    if (this.shardListStale || Date.now() - this.shardsReadAt >= this.shardRefreshMs) await this.refreshShards();
    let progressed = false;
    let failed = false;
    for (const [shardId, shard] of this.shards) {
      if (this.stopping.signal.aborted) break;
      if (shard.parentId && this.shards.has(shard.parentId)) continue; // the parent is not finished yet
      try {
        if (await this.readShard(shardId, shard)) progressed = true;
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        failed = true;
        shard.iterator = undefined; // reopened after the checkpoint next round
        this.options.telemetry.warn('stream event relay could not deliver a shard', {
          shardId,
          error: (error as Error).message,
        });
      }
    }
    return { progressed, failed };
  }

  /**
   * Reads one batch of a shard and delivers its event items; true when it got on (records read, or the shard is
   * finished, which may free its children), so a drain goes on.
   */
  private async readShard(shardId: string, shard: ShardState): Promise<boolean> {
    shard.iterator ??= await this.openIterator(shardId, shard);
    if (!shard.iterator) return true;
    let response;
    try {
      response = await this.client.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: RECORDS_PER_CALL }),
        {
          abortSignal: this.stopping.signal,
        },
      );
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ExpiredIteratorException') {
        shard.iterator = undefined;
        return true;
      }
      if (name === 'TrimmedDataAccessException') {
        // The checkpoint is older than the stream's retention: what lay between is gone.
        this.options.telemetry.warn('stream event relay lost records past the stream retention', { shardId });
        shard.checkpoint = undefined;
        shard.initial = 'TRIM_HORIZON';
        shard.iterator = undefined;
        return true;
      }
      if (name === 'ResourceNotFoundException') {
        this.finish(shardId);
        return true;
      }
      throw error;
    }
    const records = response.Records ?? [];
    const events = records.flatMap((record) => eventOf(record) ?? []);
    if (events.length > 0) {
      try {
        await this.options.transport.publish({ events });
      } catch (error) {
        shard.retryAt = records[0]?.dynamodb?.SequenceNumber;
        throw error;
      }
    }
    shard.retryAt = undefined;
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) shard.checkpoint = last;
    if (response.NextShardIterator) shard.iterator = response.NextShardIterator;
    else this.finish(shardId); // a closed shard read to its end: its children may start
    return records.length > 0 || !response.NextShardIterator;
  }

  private finish(shardId: string): void {
    this.shards.delete(shardId);
    this.finished.add(shardId);
    this.shardListStale = true;
  }

  private async openIterator(shardId: string, shard: ShardState): Promise<string | undefined> {
    const position = shard.retryAt
      ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER' as const, SequenceNumber: shard.retryAt }
      : shard.checkpoint
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.checkpoint }
        : { ShardIteratorType: shard.initial };
    try {
      const { ShardIterator } = await this.client.send(
        new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ...position }),
        { abortSignal: this.stopping.signal },
      );
      if (!ShardIterator) this.finish(shardId);
      return ShardIterator;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') {
        this.finish(shardId);
        return undefined;
      }
      throw error;
    }
  }

  /** Reads the table's stream and its shards; a shard seen for the first time after the start is read from its start. */
  private async refreshShards(): Promise<void> {
    const firstRead = this.streamArn === undefined;
    this.streamArn ??= await this.findStream();
    const listed: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
        { abortSignal: this.stopping.signal },
      );
      listed.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    const present = new Set(listed.map((shard) => shard.ShardId));
    for (const shard of listed) {
      const shardId = shard.ShardId;
      if (!shardId || this.shards.has(shardId) || this.finished.has(shardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      // At the start with `latest`, a closed shard holds nothing new and an open one is read from now on; every
      // other shard (any at the start with `trim-horizon`, a split's child later) is read from its beginning.
      if (firstRead && this.start === 'latest' && closed) {
        this.finished.add(shardId);
        continue;
      }
      const parentId = shard.ParentShardId && present.has(shard.ParentShardId) ? shard.ParentShardId : undefined;
      this.shards.set(shardId, {
        parentId,
        iterator: undefined,
        checkpoint: undefined,
        retryAt: undefined,
        initial: firstRead && this.start === 'latest' ? 'LATEST' : 'TRIM_HORIZON',
      });
    }
    // A parent that was skipped or finished no longer holds its children back.
    for (const shard of this.shards.values()) {
      if (shard.parentId && !this.shards.has(shard.parentId)) shard.parentId = undefined;
    }
    this.shardsReadAt = Date.now();
    this.shardListStale = false;
  }

  /** The table's enabled stream (the newest, if streams were turned off and on again). */
  private async findStream(): Promise<string> {
    const { Streams = [] } = await this.client.send(new ListStreamsCommand({ TableName: this.options.tableName }), {
      abortSignal: this.stopping.signal,
    });
    for (const stream of [...Streams].reverse()) {
      if (!stream.StreamArn) continue;
      const { StreamDescription } = await this.client.send(new DescribeStreamCommand({ StreamArn: stream.StreamArn }), {
        abortSignal: this.stopping.signal,
      });
      if (StreamDescription?.StreamStatus === 'ENABLED') return stream.StreamArn;
    }
    throw new Error(`table ${this.options.tableName} has no enabled stream`);
  }
}

/**
 * The Pipe's filter and input template for one record: an `INSERT` of an item with `type` = `event` gives the event
 * its `detail` holds; any other record (a turn, a header, an update, a TTL delete) gives nothing.
 */
export function eventOf(record: StreamRecord): DomainEvent | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.type?.S !== 'event' || image.detail?.S === undefined) return undefined;
  return JSON.parse(image.detail.S) as DomainEvent;
}
