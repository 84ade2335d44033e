import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Artifact } from './artifacts.js';
import { translateAwsError } from './errors.js';
import { formatBytes, type Output } from './output.js';

export interface UploadResult {
  uploaded: string[];
  skipped: string[];
}

/**
 * Uploads each artifact unless its key already exists: keys are content-addressed, so an existing key already holds
 * these exact bytes. `force` uploads anyway (e.g. after someone overwrote an object by hand).
 */
export async function uploadArtifacts(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  artifacts: Artifact[],
  options: { force: boolean; output: Output },
): Promise<UploadResult> {
  const result: UploadResult = { uploaded: [], skipped: [] };
  for (const item of artifacts) {
    if (!options.force && (await exists(s3, bucket, item.key))) {
      options.output.err(`  = ${item.key} (${item.label}, already uploaded)`);
      result.skipped.push(item.key);
      continue;
    }
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: item.key,
          Body: item.body,
          ContentType: item.contentType,
          Metadata: { sha256: item.sha256Hex },
        }),
      );
    } catch (error) {
      throw translateAwsError(error, `uploading s3://${bucket}/${item.key}`);
    }
    options.output.err(`  + ${item.key} (${item.label}, ${formatBytes(item.body.length)})`);
    result.uploaded.push(item.key);
  }
  return result;
}

async function exists(s3: Pick<S3Client, 'send'>, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    // HEAD has no body, so a missing key and a missing bucket both arrive as a bare 404: PutObject tells them apart.
    if (status === 404) return false;
    throw translateAwsError(error, `checking s3://${bucket}/${key}`);
  }
}
