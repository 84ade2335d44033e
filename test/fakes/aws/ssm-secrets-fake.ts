import { startFakeAwsServer, type FakeAwsServer, type FakeReply, type RecordedRequest } from './fake-aws-server.js';

export interface FakeParameter {
  value: string;
  type?: 'String' | 'StringList' | 'SecureString';
}

export interface FakeSecret {
  string?: string;
  binary?: Uint8Array;
}

/** Parameter Store and Secrets Manager behind one loopback endpoint, as far as configuration loading needs them. */
export interface SsmSecretsFake {
  url: string;
  server: FakeAwsServer;
  parameters: Map<string, FakeParameter>;
  secrets: Map<string, FakeSecret>;
  /** The most parameters one GetParametersByPath page holds when the caller sets no MaxResults (AWS: 10). */
  pageSize: number;
  /** Requests the fake answered, by `X-Amz-Target`. */
  calls(target: string): RecordedRequest[];
  /** Answers every later call to `target` with this AWS error until `heal(target)`. */
  fail(target: string, error: { status: number; errorType: string; message: string }): void;
  heal(target: string): void;
  close(): Promise<void>;
}

export const GET_PARAMETERS_BY_PATH = 'AmazonSSM.GetParametersByPath';
export const GET_SECRET_VALUE = 'secretsmanager.GetSecretValue';

/** What a SecureString looks like when read without WithDecryption: ciphertext, never the value. */
export const encrypted = (value: string) =>
  `AQICAHh${Buffer.from(value).toString('base64').split('').reverse().join('')}`;

export async function startSsmSecretsFake(): Promise<SsmSecretsFake> {
  const parameters = new Map<string, FakeParameter>();
  const secrets = new Map<string, FakeSecret>();
  const failures = new Map<string, { status: number; errorType: string; message: string }>();
  const fake = { pageSize: 10 };

  const failing = (target: string): FakeReply | undefined => failures.get(target);

  const getParametersByPath = (request: RecordedRequest): FakeReply => {
    const input = request.json() as {
      Path?: string;
      Recursive?: boolean;
      WithDecryption?: boolean;
      MaxResults?: number;
      NextToken?: string;
    };
    const path = input.Path ?? '';
    if (!path.startsWith('/'))
      return { status: 400, errorType: 'ValidationException', message: 'Path must start with /' };
    const prefix = path === '/' ? '/' : `${path}/`;
    const matching = [...parameters.keys()]
      .filter(
        (name) => name.startsWith(prefix) && (input.Recursive === true || !name.slice(prefix.length).includes('/')),
      )
      .sort();
    const start =
      input.NextToken === undefined ? 0 : Number.parseInt(Buffer.from(input.NextToken, 'base64').toString('utf8'), 10);
    if (!Number.isInteger(start) || start < 0 || start > matching.length) {
      return { status: 400, errorType: 'InvalidNextToken', message: 'The specified token is not valid.' };
    }
    const size = Math.min(input.MaxResults ?? fake.pageSize, fake.pageSize);
    const page = matching.slice(start, start + size);
    const next = start + size < matching.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
    return {
      json: {
        Parameters: page.map((name) => {
          const { value, type = 'String' } = parameters.get(name) as FakeParameter;
          const shown = type === 'SecureString' && input.WithDecryption !== true ? encrypted(value) : value;
          return {
            Name: name,
            Type: type,
            Value: shown,
            Version: 1,
            DataType: 'text',
            ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
          };
        }),
        ...(next !== undefined && { NextToken: next }),
      },
    };
  };

  const getSecretValue = (request: RecordedRequest): FakeReply => {
    const { SecretId: id } = request.json() as { SecretId?: string };
    const secret = id === undefined ? undefined : secrets.get(id);
    if (!id || !secret)
      return {
        status: 400,
        errorType: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      };
    return {
      json: {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`,
        Name: id,
        VersionId: '00000000-0000-0000-0000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000,
        ...(secret.string !== undefined && { SecretString: secret.string }),
        ...(secret.binary !== undefined && { SecretBinary: Buffer.from(secret.binary).toString('base64') }),
      },
    };
  };

  const server = await startFakeAwsServer({
    [GET_PARAMETERS_BY_PATH]: (request) => failing(GET_PARAMETERS_BY_PATH) ?? getParametersByPath(request),
    [GET_SECRET_VALUE]: (request) => failing(GET_SECRET_VALUE) ?? getSecretValue(request),
  });

  return {
    url: server.url,
    server,
    parameters,
    secrets,
    get pageSize() {
      return fake.pageSize;
    },
    set pageSize(size: number) {
      fake.pageSize = size;
    },
    calls: (target) => server.requests.filter((request) => request.target === target),
    fail: (target, error) => failures.set(target, error),
    heal: (target) => failures.delete(target),
    close: () => server.close(),
  };
}
