import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path with an optional query string, e.g. `/v1/conversations/abc/turns?limit=50`. */
  url: string;
  headers?: Record<string, string>;
  body?: object;
  /** Claims as API Gateway's Cognito/JWT authorizer would pass them after verifying the token. */
  claims?: Record<string, string | string[]>;
  requestId?: string;
}

const SOURCE_IP = '203.0.113.7';

function split(url: string): { path: string; query: Record<string, string> | null; raw: string } {
  const [path = '/', raw = ''] = url.split('?');
  const query = raw ? Object.fromEntries(new URLSearchParams(raw)) : null;
  return { path, query, raw };
}

/** An API Gateway REST API (payload format 1.0) proxy event, as a `{proxy+}` resource on stage `prod` sends it. */
export function restApiEvent(call: HttpCall): APIGatewayProxyEvent {
  const { path, query } = split(call.url);
  const headers = {
    host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'user-agent': 'test',
    ...(call.body && { 'content-type': 'application/json' }),
    ...call.headers,
  };
  const requestId = call.requestId ?? randomUUID();
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: call.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body: call.body ? JSON.stringify(call.body) : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      stage: 'prod',
      requestId,
      httpMethod: call.method,
      path: `/prod${path}`,
      resourceId: 'res1',
      resourcePath: '/{proxy+}',
      protocol: 'HTTP/1.1',
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: SOURCE_IP, userAgent: 'test' } as APIGatewayProxyEvent['requestContext']['identity'],
      authorizer: call.claims ? { claims: call.claims } : null,
    },
  };
}

/** An API Gateway HTTP API (payload format 2.0) event for the `$default` route. */
export function httpApiEvent(call: HttpCall): APIGatewayProxyEventV2 {
  const { path, query, raw } = split(call.url);
  const requestId = call.requestId ?? randomUUID();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: raw,
    headers: {
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'test',
      ...(call.body && { 'content-type': 'application/json' }),
      ...lower(call.headers),
    },
    ...(query && { queryStringParameters: query }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: call.method, path, protocol: 'HTTP/1.1', sourceIp: SOURCE_IP, userAgent: 'test' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(call.claims && { authorizer: { jwt: { claims: call.claims, scopes: null } } }),
    },
    ...(call.body && { body: JSON.stringify(call.body) }),
    isBase64Encoded: false,
  };
}

/** HTTP APIs lower-case header names. */
function lower(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
