import type { FakeHandler, FakeReply, RecordedRequest } from './fake-aws-server.js';

const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const VERSION = '/2020-05-31';

export type CloudFrontAction = 'CreateInvalidation' | 'GetInvalidation';

/** How the next CreateInvalidation answers: accepted, or CloudFront's error (e.g. 400 TooManyInvalidationsInProgress). */
export type InvalidationScenario = 'success' | { failure: { status: number; code: string; message: string } };

interface InvalidationState {
  id: string;
  distributionId: string;
  paths: string[];
  callerReference: string;
  createTime: string;
  /** GetInvalidation calls left before it reports Completed. */
  pollsLeft: number;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const unescapeXml = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** CloudFront's REST-XML error body; the SDK reads `Error.Code` into the exception's name. */
function cloudFrontError(status: number, code: string, message: string): FakeReply {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`,
  };
}

function invalidationXml(invalidation: InvalidationState, status: string): string {
  const items = invalidation.paths.map((path) => `<Path>${escapeXml(path)}</Path>`).join('');
  return (
    `<?xml version="1.0"?><Invalidation xmlns="${NS}"><Id>${invalidation.id}</Id><Status>${status}</Status>` +
    `<CreateTime>${invalidation.createTime}</CreateTime><InvalidationBatch><Paths>` +
    `<Quantity>${invalidation.paths.length}</Quantity><Items>${items}</Items></Paths>` +
    `<CallerReference>${escapeXml(invalidation.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`
  );
}

/**
 * CloudFront's invalidation API as client-cloudfront sends it (REST-XML, `POST|GET /2020-05-31/distribution/{Id}/
 * invalidation[/{InvalidationId}]`) for a fake server. Only the distributions `distributions()` names exist
 * (others answer NoSuchDistribution), `deniedDistributions` answer 403 AccessDenied, and an invalidation completes on
 * the second GetInvalidation. A reused caller reference with other paths answers InvalidArgument, as CloudFront does.
 */
export function cloudFrontRoutes(options: {
  distributions(): string[];
  deniedDistributions?: string[];
  scenario(): InvalidationScenario;
  record(action: CloudFrontAction, params: Record<string, string>): void;
}): Record<string, FakeHandler> {
  const invalidations = new Map<string, InvalidationState>();
  let counter = 0;

  const handle = (request: RecordedRequest): FakeReply => {
    const match = /^\/2020-05-31\/distribution\/([^/]+)\/invalidation(?:\/([^/]+))?$/.exec(request.path);
    if (!match) return cloudFrontError(404, 'NotFound', `no route ${request.method} ${request.path}`);
    const distributionId = decodeURIComponent(match[1] ?? '');
    const invalidationId = match[2] && decodeURIComponent(match[2]);
    const action: CloudFrontAction = request.method === 'POST' ? 'CreateInvalidation' : 'GetInvalidation';
    const body = request.body.toString('utf8');
    const paths = [...body.matchAll(/<Path>([^<]*)<\/Path>/g)].map((found) => unescapeXml(found[1] ?? ''));
    const callerReference = unescapeXml(/<CallerReference>([^<]*)<\/CallerReference>/.exec(body)?.[1] ?? '');
    options.record(action, {
      DistributionId: distributionId,
      ...(invalidationId && { Id: invalidationId }),
      ...(action === 'CreateInvalidation' && {
        CallerReference: callerReference,
        Paths: paths.join(' '),
        Quantity: /<Quantity>(\d+)<\/Quantity>/.exec(body)?.[1] ?? '',
      }),
    });
    if (options.deniedDistributions?.includes(distributionId)) {
      return cloudFrontError(403, 'AccessDenied', `User is not authorized to perform: cloudfront:${action}`);
    }
    if (!options.distributions().includes(distributionId)) {
      return cloudFrontError(404, 'NoSuchDistribution', 'The specified distribution does not exist.');
    }
    if (action === 'GetInvalidation') {
      const found = invalidationId ? invalidations.get(invalidationId) : undefined;
      if (!found || found.distributionId !== distributionId) {
        return cloudFrontError(404, 'NoSuchInvalidation', 'The specified invalidation does not exist.');
      }
      found.pollsLeft = Math.max(0, found.pollsLeft - 1);
      const status = found.pollsLeft === 0 ? 'Completed' : 'InProgress';
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: invalidationXml(found, status) };
    }
    const scenario = options.scenario();
    if (scenario !== 'success') {
      return cloudFrontError(scenario.failure.status, scenario.failure.code, scenario.failure.message);
    }
    if (!callerReference || paths.length === 0) {
      return cloudFrontError(400, 'MalformedInput', 'CallerReference and at least one path are required.');
    }
    const reused = [...invalidations.values()].find((existing) => existing.callerReference === callerReference);
    if (reused && reused.paths.join(' ') !== paths.join(' ')) {
      return cloudFrontError(400, 'InvalidArgument', 'CallerReference was used with a different batch.');
    }
    counter += 1;
    const invalidation: InvalidationState = reused ?? {
      id: `I${String(counter).padStart(13, '0')}`,
      distributionId,
      paths,
      callerReference,
      createTime: new Date(Date.UTC(2026, 11, 1, 0, 30, counter)).toISOString(),
      pollsLeft: 2,
    };
    invalidations.set(invalidation.id, invalidation);
    return {
      status: 201,
      headers: {
        'content-type': 'text/xml',
        location: `https://cloudfront.amazonaws.com${VERSION}/distribution/${distributionId}/invalidation/${invalidation.id}`,
      },
      body: invalidationXml(invalidation, 'InProgress'),
    };
  };

  return {
    [`POST ${VERSION}/`]: handle,
    [`GET ${VERSION}/`]: handle,
  };
}
