import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { DependencyUnavailableError, NotFoundError, ValidationError } from '../../core/errors.js';
import { AUDIO_MIME_TYPES, type Audio, type AudioRef } from '../../core/model/audio.js';
import type { IoOptions } from '../../core/model/io.js';
import type { AudioStore, AudioStoreCapabilities } from '../../core/ports/audio-store.js';
import { startServiceCall, type ServiceErrorPolicy } from '../shared/service-errors.js';

const ADAPTER = 's3-audio';

interface S3AudioStoreSettings {
  bucket: string;
  /** Key prefix; the bucket's lifecycle rule expires objects under it. Default `audio/`. */
  prefix?: string;
  /** Longest wait for each S3 call; default 10 s. */
  timeoutMs?: number;
  newId?: () => string;
}

type S3Api = Pick<S3Client, 'send'>;

export type S3AudioStoreOptions = S3AudioStoreSettings &
  ({ client: S3Api; clientConfig?: never } | { client?: never; clientConfig?: S3ClientConfig });

const S3_ERRORS: ServiceErrorPolicy = {
  adapter: ADAPTER,
  unavailable: new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout']),
  invalid: new Set(['InvalidArgument', 'EntityTooLarge', 'KeyTooLongError', 'InvalidRequest']),
  hints: {
    NoSuchBucket: 'the audio bucket does not exist; check AUDIO_BUCKET',
    AccessDenied: 'access denied; check s3:PutObject/GetObject/DeleteObject on the audio bucket',
  },
  unavailableError: (detail, options) => new DependencyUnavailableError(ADAPTER, detail, options),
};

/**
 * Audio clips as S3 objects, so turn records can cross Lambda and Step Functions boundaries by name. Expiry belongs to
 * the bucket's lifecycle rule, not to this adapter.
 */
export class S3AudioStore implements AudioStore {
  readonly capabilities: AudioStoreCapabilities = { shared: true };
  private readonly client: S3Api;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly newId: () => string;

  constructor(options: S3AudioStoreOptions) {
    if (!options.bucket) throw new ValidationError(`${ADAPTER}: a bucket is required`);
    this.client = options.client ?? new S3Client(options.clientConfig ?? {});
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? 'audio/';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.newId = options.newId ?? randomUUID;
  }

  async put(request: { audio: Audio } & IoOptions): Promise<AudioRef> {
    const { audio } = request;
    const key = `${this.prefix}${this.newId()}.${audio.format}`;
    const call = startServiceCall(S3_ERRORS, request.signal, this.timeoutMs);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: audio.data,
          ContentType: AUDIO_MIME_TYPES[audio.format],
          Metadata: { format: audio.format, 'sample-rate': String(audio.sampleRate) },
        }),
        { abortSignal: call.signal },
      );
    } catch (error) {
      throw call.fail(error);
    }
    return {
      uri: `s3://${this.bucket}/${key}`,
      format: audio.format,
      sampleRate: audio.sampleRate,
      bytes: audio.data.byteLength,
    };
  }

  async get(request: { ref: AudioRef } & IoOptions): Promise<Audio> {
    const key = this.keyOf(request.ref);
    const call = startServiceCall(S3_ERRORS, request.signal, this.timeoutMs);
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: call.signal,
      });
      if (!object.Body) throw new NotFoundError(`${ADAPTER}: ${request.ref.uri} has no body`);
      const data = await object.Body.transformToByteArray();
      return { data, format: request.ref.format, sampleRate: request.ref.sampleRate };
    } catch (error) {
      if (isMissing(error))
        throw new NotFoundError(`${ADAPTER}: ${request.ref.uri} is not in the store`, { cause: error });
      throw call.fail(error);
    }
  }

  async delete(request: { ref: AudioRef } & IoOptions): Promise<void> {
    const key = this.keyOf(request.ref);
    const call = startServiceCall(S3_ERRORS, request.signal, this.timeoutMs);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: call.signal });
    } catch (error) {
      if (!isMissing(error)) throw call.fail(error);
    }
  }

  /** Only references to this store's own bucket and prefix are honoured: a record cannot make it read elsewhere. */
  private keyOf(ref: AudioRef): string {
    const base = `s3://${this.bucket}/`;
    const key = ref.uri.startsWith(base) ? ref.uri.slice(base.length) : undefined;
    if (!key?.startsWith(this.prefix) || key.includes('..')) {
      throw new NotFoundError(`${ADAPTER}: ${ref.uri} is not a clip of this store`);
    }
    return key;
  }
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}
