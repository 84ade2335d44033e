import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3AudioStore } from '../../../adapters/aws/s3-audio-store.js';
import { ErrorCodes } from '../../../core/errors.js';
import { describeAudioStoreContract } from '../../contract/audio-store.contract.js';
import { startLocalS3, type LocalS3 } from '../../fakes/aws/s3-local.js';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3.close();
});

describeAudioStoreContract('S3AudioStore (s3rver)', async () => ({
  store: new S3AudioStore({ bucket: s3.bucket, client: s3.client() }),
}));

describe('S3AudioStore', () => {
  it('names clips as s3:// URIs under its prefix', async () => {
    const store = new S3AudioStore({ bucket: s3.bucket, prefix: 'turns/', client: s3.client() });
    const ref = await store.put({ audio: { data: new Uint8Array(8), format: 'pcm', sampleRate: 8000 } });
    expect(ref.uri).toMatch(/^s3:\/\/assistant-audio\/turns\/[\w-]+\.pcm$/);
  });

  it('refuses references outside its bucket and prefix instead of reading them', async () => {
    const store = new S3AudioStore({ bucket: s3.bucket, prefix: 'turns/', client: s3.client() });
    const ref = await store.put({ audio: { data: new Uint8Array(8), format: 'wav', sampleRate: 16_000 } });
    for (const uri of [
      's3://other-bucket/turns/x.wav',
      `s3://${s3.bucket}/secrets/x.wav`,
      `s3://${s3.bucket}/turns/../secrets/x`,
    ]) {
      await expect(store.get({ ref: { ...ref, uri } })).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    }
  });

  it('reports a missing bucket as a dependency that is not configured, not as a missing clip', async () => {
    const store = new S3AudioStore({ bucket: 'no-such-bucket', client: s3.client() });
    await expect(
      store.put({ audio: { data: new Uint8Array(8), format: 'wav', sampleRate: 16_000 } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.DEPENDENCY_UNAVAILABLE,
      retryable: false,
    });
  });
});
