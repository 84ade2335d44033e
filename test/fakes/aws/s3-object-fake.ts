import { randomUUID } from 'node:crypto';
import type { FakeHandler, FakeReply, RecordedRequest } from './fake-aws-server.js';

export type S3Action = 'PutObject' | 'HeadObject' | 'GetObject';

/** S3's body, decoded from `aws-chunked` framing when the SDK streamed it with a trailing checksum. */
function s3Body(request: RecordedRequest): Buffer {
  const encoding = String(request.headers['content-encoding'] ?? '');
  if (!encoding.includes('aws-chunked')) return request.body;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = request.body.indexOf('\r\n', at);
    const size = parseInt(request.body.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '0', 16);
    if (!size) break;
    parts.push(request.body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Path-style S3 object routes (`PUT|HEAD|GET /bucket/key`) for a fake server: objects kept in `objects` by
 * `bucket/key`, every call recorded, unknown buckets answering NoSuchBucket and `deniedBuckets` answering 403.
 */
export function s3ObjectRoutes(options: {
  buckets: string[];
  deniedBuckets: string[];
  objects: Map<string, Buffer>;
  record(action: S3Action, params: { Bucket: string; Key: string }): void;
}): Record<string, FakeHandler> {
  const answer = (request: RecordedRequest, action: S3Action): FakeReply => {
    const [, bucket = '', ...rest] = request.path.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    options.record(action, { Bucket: bucket, Key: key });
    if (options.deniedBuckets.includes(bucket)) {
      // HEAD answers carry no body, so the SDK sees a bare 403 there and S3's AccessDenied code on PUT.
      if (action === 'HeadObject') return { status: 403, body: '' };
      return {
        status: 403,
        body: `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`,
        headers: { 'content-type': 'application/xml' },
      };
    }
    if (!options.buckets.includes(bucket)) {
      if (action === 'HeadObject') return { status: 404, body: '' };
      return {
        status: 404,
        body: `<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>`,
        headers: { 'content-type': 'application/xml' },
      };
    }
    const stored = options.objects.get(`${bucket}/${key}`);
    if (action === 'PutObject') {
      options.objects.set(`${bucket}/${key}`, s3Body(request));
      return { status: 200, body: '', headers: { etag: `"${randomUUID()}"` } };
    }
    if (!stored)
      return action === 'HeadObject'
        ? { status: 404, body: '' }
        : { status: 404, body: `<Error><Code>NoSuchKey</Code><Message>${key}</Message></Error>` };
    return {
      status: 200,
      body: action === 'HeadObject' ? '' : stored,
      headers: { 'content-length': String(stored.length) },
    };
  };

  return {
    'PUT /': (request) => answer(request, 'PutObject'),
    'HEAD /': (request) => answer(request, 'HeadObject'),
    'GET /': (request) => answer(request, 'GetObject'),
  };
}
