import { createHash } from 'node:crypto';
import { CreateInvalidationCommand, GetInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeployError, translateAwsError } from './errors.js';
import { formatBytes, table, type Output } from './output.js';
import type { Polling } from './stack.js';
import { configBody, type WebTarget } from './web-config.js';
import { CONFIG_KEY, INVALIDATION_PATHS, publishOrder, REVALIDATE, webFile, type WebFile } from './web-files.js';

/**
 * The release manifest: the keys of the last release and of the one before it. Objects in neither are stale and
 * deleted; the previous release's are kept so a browser still running it can load its lazy chunks. `invalidated`
 * fingerprints the unhashed files CloudFront last invalidated: the manifest is written only after the invalidation
 * succeeds, so a publish whose invalidation failed invalidates again on the next run even though nothing uploads.
 */
export const MANIFEST_KEY = '_deploy/web-release.json';

interface Manifest {
  current: string[];
  previous: string[];
  invalidated?: string;
}

export interface WebPublishOptions {
  force: boolean;
  wait: boolean;
  output: Output;
  polling: Polling;
  now: () => Date;
}

export interface WebPublishResult {
  uploaded: string[];
  unchanged: string[];
  deleted: string[];
  invalidationId?: string;
}

type S3 = Pick<S3Client, 'send'>;
type CloudFront = Pick<CloudFrontClient, 'send'>;

const errorName = (error: unknown) => (error as { name?: string }).name ?? '';
const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** S3 errors of the web bucket, with hints about the web bucket (translateAwsError's speak of the artifact bucket). */
function s3Failure(error: unknown, target: WebTarget, step: string): unknown {
  if (errorName(error) === 'NoSuchBucket' || (step.startsWith('listing') && statusOf(error) === 404)) {
    return new DeployError(
      `The web bucket ${target.bucket} (the stack's WebBucketName output) does not exist (${step}).`,
      'It was deleted outside CloudFormation, or the outputs are stale: deploy the stack again, then publish.',
      { cause: error },
    );
  }
  if (errorName(error) === 'AccessDenied' || statusOf(error) === 403) {
    return new DeployError(
      `Access denied (${step}): ${(error as Error).message || errorName(error)}`,
      `The identity needs s3:ListBucket on ${target.bucket} and s3:GetObject/PutObject/DeleteObject on its objects ` +
        `(the pipeline's WebPublishRole is granted them by the web bucket's policy).`,
      { cause: error },
    );
  }
  return translateAwsError(error, step);
}

async function listEtags(s3: S3, target: WebTarget): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3
      .send(new ListObjectsV2Command({ Bucket: target.bucket, ContinuationToken: token }))
      .catch((error: unknown) => {
        throw s3Failure(error, target, `listing s3://${target.bucket}`);
      });
    for (const object of page.Contents ?? []) {
      if (object.Key) etags.set(object.Key, (object.ETag ?? '').replace(/"/g, ''));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return etags;
}

async function readManifest(s3: S3, target: WebTarget): Promise<Manifest | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: MANIFEST_KEY }));
    const parsed = JSON.parse((await object.Body?.transformToString()) ?? '') as Partial<Manifest>;
    return {
      current: parsed.current ?? [],
      previous: parsed.previous ?? [],
      ...(parsed.invalidated && { invalidated: parsed.invalidated }),
    };
  } catch (error) {
    if (errorName(error) === 'NoSuchKey' || statusOf(error) === 404) return undefined;
    if (error instanceof SyntaxError) return undefined;
    throw s3Failure(error, target, `reading s3://${target.bucket}/${MANIFEST_KEY}`);
  }
}

async function put(s3: S3, target: WebTarget, file: WebFile): Promise<void> {
  await s3
    .send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: file.key,
        Body: file.body,
        ContentType: file.contentType,
        CacheControl: file.cacheControl,
      }),
    )
    .catch((error: unknown) => {
      throw s3Failure(error, target, `uploading s3://${target.bucket}/${file.key}`);
    });
}

/** The files of a publish in upload order: the build's, plus config.json written for this environment. */
export function webRelease(files: WebFile[], target: WebTarget): WebFile[] {
  return publishOrder([...files, webFile(CONFIG_KEY, configBody(target.config))]);
}

/** What stays: this release, and the one before it (or, the first time, everything already there). */
export function retained(keys: string[], manifest: Manifest | undefined, existing: string[]): Manifest {
  const current = [...keys].sort();
  if (!manifest) return { current, previous: existing.filter((key) => key !== MANIFEST_KEY).sort() };
  const same = manifest.current.length === current.length && manifest.current.every((key, i) => key === current[i]);
  return { current, previous: same ? manifest.previous : manifest.current };
}

/**
 * Publishes the client: uploads what differs from the bucket (hashed assets first, index.html last), invalidates the
 * unhashed paths when any changed (or the last invalidation never completed), records the release, then deletes
 * objects older than the previous release.
 */
export async function publishWeb(
  clients: { s3: S3; cloudFront: CloudFront },
  target: WebTarget,
  files: WebFile[],
  options: WebPublishOptions,
): Promise<WebPublishResult> {
  const { output } = options;
  const release = webRelease(files, target);
  const existing = await listEtags(clients.s3, target);
  const manifest = await readManifest(clients.s3, target);
  const result: WebPublishResult = { uploaded: [], unchanged: [], deleted: [] };
  for (const file of release) {
    if (!options.force && existing.get(file.key) === file.md5Hex) {
      result.unchanged.push(file.key);
      continue;
    }
    await put(clients.s3, target, file);
    output.err(`  + ${file.key} (${formatBytes(file.body.length)}, ${file.cacheControl})`);
    result.uploaded.push(file.key);
  }
  output.err(`  = ${result.unchanged.length} unchanged`);

  const entryPoints = release.filter((file) => !file.hashed);
  const fingerprint = createHash('sha256')
    .update(entryPoints.map((file) => `${file.key}:${file.md5Hex}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const changed = entryPoints.filter((file) => result.uploaded.includes(file.key));
  if (changed.length > 0 || manifest?.invalidated !== fingerprint) {
    const paths = [...new Set([...INVALIDATION_PATHS, ...changed.map((file) => `/${file.key}`)])];
    result.invalidationId = await invalidate(clients.cloudFront, target, paths, fingerprint, options);
  } else {
    output.err('No unhashed file changed: no CloudFront invalidation needed.');
  }

  const next = {
    ...retained(
      release.map((file) => file.key),
      manifest,
      [...existing.keys()],
    ),
    invalidated: fingerprint,
  };
  if (JSON.stringify(next) !== JSON.stringify(manifest)) await put(clients.s3, target, manifestFile(next));

  const keep = new Set([...next.current, ...next.previous, MANIFEST_KEY]);
  for (const key of [...existing.keys()].filter((candidate) => !keep.has(candidate)).sort()) {
    await clients.s3.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key })).catch((error: unknown) => {
      throw s3Failure(error, target, `deleting s3://${target.bucket}/${key}`);
    });
    output.err(`  - ${key} (older than the previous release)`);
    result.deleted.push(key);
  }
  return result;
}

function manifestFile(manifest: Manifest): WebFile {
  const file = webFile(MANIFEST_KEY, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  return { ...file, cacheControl: REVALIDATE };
}

async function invalidate(
  cloudFront: CloudFront,
  target: WebTarget,
  paths: string[],
  fingerprint: string,
  options: WebPublishOptions,
): Promise<string> {
  // Unique per release and per run: CloudFront rejects a reused reference with a different batch.
  const callerReference = `web-${options.now().toISOString()}-${fingerprint}`;
  const step = `invalidating ${paths.join(' ')} on the CloudFront distribution ${target.distributionId}`;
  let id: string;
  try {
    const created = await cloudFront.send(
      new CreateInvalidationCommand({
        DistributionId: target.distributionId,
        InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
      }),
    );
    id = created.Invalidation?.Id ?? '';
    options.output.err(`Invalidation ${id} of ${paths.join(' ')}: ${created.Invalidation?.Status ?? '?'}`);
  } catch (error) {
    throw invalidationFailure(error, target, step, paths);
  }
  if (options.wait) await waitForInvalidation(cloudFront, target, id, paths, options);
  return id;
}

async function waitForInvalidation(
  cloudFront: CloudFront,
  target: WebTarget,
  id: string,
  paths: string[],
  options: WebPublishOptions,
): Promise<void> {
  let wait = options.polling.initialMs;
  for (;;) {
    const got = await cloudFront
      .send(new GetInvalidationCommand({ DistributionId: target.distributionId, Id: id }))
      .catch((error: unknown) => {
        throw invalidationFailure(error, target, `waiting for the invalidation ${id}`, paths);
      });
    if (got.Invalidation?.Status === 'Completed') {
      options.output.err(`Invalidation ${id}: Completed`);
      return;
    }
    await options.polling.sleep(wait);
    wait = Math.min(options.polling.maxMs, Math.ceil(wait * 1.5));
  }
}

function invalidationFailure(error: unknown, target: WebTarget, step: string, paths: string[]): unknown {
  const translated = translateAwsError(error, step);
  if (translated instanceof DeployError && !/^Access denied/.test(translated.message)) return translated;
  const name = errorName(error);
  const retry =
    `The files are uploaded; browsers may see the old index.html until CloudFront's copy expires. Run the publish ` +
    `again (npm run deploy -- --env <env> --web-only), or: aws cloudfront create-invalidation --distribution-id ` +
    `${target.distributionId} --paths ${paths.join(' ')}`;
  if (name === 'NoSuchDistribution') {
    return new DeployError(
      `The CloudFront distribution ${target.distributionId} (the stack's DistributionId output) does not exist.`,
      'Deploy the stack again so its outputs are current, then publish.',
      { cause: error },
    );
  }
  if (name === 'AccessDenied' || statusOf(error) === 403) {
    return new DeployError(
      `Access denied (${step}): ${(error as Error).message || name}`,
      `The identity needs cloudfront:CreateInvalidation and cloudfront:GetInvalidation on the distribution. ${retry}`,
      { cause: error },
    );
  }
  return new DeployError(
    `The CloudFront invalidation failed (${step}): ${name ? `${name}: ` : ''}${(error as Error).message}`,
    retry,
    { cause: error },
  );
}

/** The dry run's web section: files in upload order with sizes and headers, and the invalidation paths. */
export function printWebPlan(output: Output, files: WebFile[], where: { stackName: string; buildDir: string }): void {
  output.out();
  output.out(`Web client (${where.buildDir}), published after the stack to its WebBucketName output, in this order:`);
  const ordered = publishOrder([...files, webFile(CONFIG_KEY, Buffer.from(''))]);
  for (const line of table(
    ['key', 'size', 'content-type', 'cache-control'],
    ordered.map((file) => [
      file.key,
      file.key === CONFIG_KEY ? '(from outputs)' : formatBytes(file.body.length),
      file.contentType,
      file.cacheControl,
    ]),
  ))
    output.out(`  ${line}`);
  output.out(
    `  Written from ${where.stackName}'s outputs into config.json: apiBase = ApiUrl, auth.domain = HostedUiDomain, ` +
      'auth.clientId = UserPoolClientId, auth.redirectUri = <WebOrigin or WebUrl>/auth/callback.',
  );
  output.out('  Unchanged objects (same MD5 as the ETag in the bucket) are skipped; objects in neither this release');
  output.out(`  nor the previous one (recorded in ${MANIFEST_KEY}) are deleted after the upload.`);
  output.out(
    `  CloudFront invalidation (DistributionId output) when an unhashed file changed: ${INVALIDATION_PATHS.join(' ')}`,
  );
}
