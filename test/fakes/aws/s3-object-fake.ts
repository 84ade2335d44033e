import { createHash } from 'node:crypto';
import type { FakeHandler, FakeReply, RecordedRequest } from './fake-aws-server.js';

export type S3Action = 'PutObject' | 'HeadObject' | 'GetObject' | 'ListObjectsV2' | 'DeleteObject';

/** The headers an object was stored with, as S3 returns them on GET and HEAD. */
export interface StoredHeaders {
  contentType?: string;
  cacheControl?: string;
}

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

const OBJECT_ACTIONS: Record<string, S3Action> = {
  PUT: 'PutObject',
  HEAD: 'HeadObject',
  GET: 'GetObject',
  DELETE: 'DeleteObject',
};
const xmlError = (status: number, code: string, message: string): FakeReply => ({
  status,
  body: `<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  headers: { 'content-type': 'application/xml' },
});
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** S3's ETag of a single-part upload without SSE-KMS: the hex MD5 of the body, quoted. */
const etagOf = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

/**
 * Path-style S3 routes for a fake server: objects (`PUT|HEAD|GET|DELETE /bucket/key`) kept in `objects` by
 * `bucket/key` with their Content-Type and Cache-Control in `headers`, ListObjectsV2 (`GET /bucket?list-type=2`,
 * pages of `pageSize`), every call recorded, unknown buckets answering NoSuchBucket and `deniedBuckets` answering 403.
 */
export function s3ObjectRoutes(options: {
  buckets: string[];
  deniedBuckets: string[];
  objects: Map<string, Buffer>;
  headers?: Map<string, StoredHeaders>;
  pageSize?: number;
  record(action: S3Action, params: Record<string, string>): void;
}): Record<string, FakeHandler> {
  const headers = options.headers ?? new Map<string, StoredHeaders>();
  const list = (bucket: string, request: RecordedRequest): FakeReply => {
    const prefix = `${bucket}/`;
    const keys = [...options.objects.keys()]
      .filter((id) => id.startsWith(prefix))
      .map((id) => id.slice(prefix.length))
      .sort();
    const from = Number(request.query.get('continuation-token') ?? 0);
    const size = options.pageSize ?? 1000;
    const page = keys.slice(from, from + size);
    const truncated = from + size < keys.length;
    const contents = page
      .map((key) => {
        const body = options.objects.get(`${prefix}${key}`) ?? Buffer.alloc(0);
        return `<Contents><Key>${escapeXml(key)}</Key><ETag>${escapeXml(etagOf(body))}</ETag><Size>${body.length}</Size></Contents>`;
      })
      .join('');
    return {
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body:
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Name>${bucket}</Name><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>` +
        (truncated ? `<NextContinuationToken>${from + size}</NextContinuationToken>` : '') +
        `${contents}</ListBucketResult>`,
    };
  };

  const answer = (request: RecordedRequest, method: string): FakeReply => {
    const [, bucket = '', ...rest] = request.path.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const action: S3Action =
      method === 'GET' && key === '' && request.query.get('list-type') === '2'
        ? 'ListObjectsV2'
        : (OBJECT_ACTIONS[method] ?? 'GetObject');
    const contentType = request.headers['content-type'];
    const cacheControl = request.headers['cache-control'];
    options.record(action, {
      Bucket: bucket,
      Key: key,
      ...(action === 'PutObject' && typeof contentType === 'string' && { ContentType: contentType }),
      ...(action === 'PutObject' && typeof cacheControl === 'string' && { CacheControl: cacheControl }),
    });
    if (options.deniedBuckets.includes(bucket)) {
      // HEAD answers carry no body, so the SDK sees a bare 403 there and S3's AccessDenied code elsewhere.
      if (action === 'HeadObject') return { status: 403, body: '' };
      return xmlError(403, 'AccessDenied', 'Access Denied');
    }
    if (!options.buckets.includes(bucket)) {
      if (action === 'HeadObject') return { status: 404, body: '' };
      return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
    }
    if (action === 'ListObjectsV2') return list(bucket, request);
    const id = `${bucket}/${key}`;
    const stored = options.objects.get(id);
    if (action === 'PutObject') {
      const body = s3Body(request);
      options.objects.set(id, body);
      headers.set(id, {
        ...(typeof contentType === 'string' && { contentType }),
        ...(typeof cacheControl === 'string' && { cacheControl }),
      });
      return { status: 200, body: '', headers: { etag: etagOf(body) } };
    }
    if (action === 'DeleteObject') {
      options.objects.delete(id);
      headers.delete(id);
      return { status: 204, body: '' };
    }
    if (!stored) return action === 'HeadObject' ? { status: 404, body: '' } : xmlError(404, 'NoSuchKey', key);
    const kept = headers.get(id);
    return {
      status: 200,
      body: action === 'HeadObject' ? '' : stored,
      headers: {
        'content-length': String(stored.length),
        etag: etagOf(stored),
        ...(kept?.contentType && { 'content-type': kept.contentType }),
        ...(kept?.cacheControl && { 'cache-control': kept.cacheControl }),
      },
    };
  };

  return {
    'PUT /': (request) => answer(request, 'PUT'),
    'HEAD /': (request) => answer(request, 'HEAD'),
    'GET /': (request) => answer(request, 'GET'),
    'DELETE /': (request) => answer(request, 'DELETE'),
  };
}
