/** A failure the user can act on: what went wrong, and what to do about it. Printed without a stack trace. */
export class DeployError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeployError';
  }
}

interface AwsErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'InvalidClientTokenId']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'Forbidden', 'UnauthorizedOperation']);

/**
 * Turns an AWS SDK error raised during `step` into a DeployError with a hint; anything else passes through. One place,
 * so every step reports missing credentials, expired sessions and denied permissions the same way.
 */
export function translateAwsError(error: unknown, step: string): unknown {
  if (error instanceof DeployError || !(error instanceof Error)) return error;
  const aws = error as AwsErrorShape;
  const name = aws.name ?? '';
  const message = aws.message ?? String(error);
  if (CREDENTIAL_ERRORS.has(name) || /could not load credentials/i.test(message)) {
    return new DeployError(
      `No AWS credentials found (${step}): ${message}`,
      'Set AWS_PROFILE to a configured profile (`aws configure` or `aws sso login --profile NAME`), or export ' +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials). ' +
        'Use --dry-run to see the plan without credentials.',
      { cause: error },
    );
  }
  if (EXPIRED.has(name)) {
    return new DeployError(
      `The AWS credentials were refused (${step}): ${message}`,
      'Refresh them (`aws sso login`, or new temporary credentials) and run again.',
      { cause: error },
    );
  }
  if (DENIED.has(name) || aws.$metadata?.httpStatusCode === 403) {
    return new DeployError(
      `Access denied (${step}): ${message || name}`,
      'The identity needs s3:GetObject/PutObject on the artifact bucket and cloudformation:* on the stack (plus ' +
        'iam:PassRole and the services the templates create). Check `aws sts get-caller-identity` shows the ' +
        'account you meant.',
      { cause: error },
    );
  }
  if (name === 'NoSuchBucket') {
    return new DeployError(`The artifact bucket does not exist (${step}): ${message}`, CREATE_BUCKET_HINT, {
      cause: error,
    });
  }
  if (/region is missing/i.test(message)) {
    return new DeployError(
      'No AWS region is configured.',
      'Pass --region (e.g. --region eu-west-1), set AWS_REGION, or set a region in your AWS profile.',
      { cause: error },
    );
  }
  return error;
}

/*
 * The tool does not create the artifact bucket itself: a bucket is an account-level resource with its own lifecycle,
 * policy and retention that outlives any one stack, and the pipeline stack already owns one for CodeBuild. Creating
 * one implicitly from a developer's laptop would leave an unmanaged bucket per account and region, so the tool says
 * how to create it once instead.
 */
export const CREATE_BUCKET_HINT =
  'Pass --artifact-bucket NAME or set ARTIFACT_BUCKET. To create one (once per account and region):\n' +
  '  B=voice-assistant-artifacts-$(aws sts get-caller-identity --query Account --output text)-$AWS_REGION\n' +
  '  aws s3api create-bucket --bucket $B --region $AWS_REGION ' +
  '--create-bucket-configuration LocationConstraint=$AWS_REGION   # omit the configuration in us-east-1\n' +
  '  aws s3api put-public-access-block --bucket $B --public-access-block-configuration ' +
  'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n' +
  '  aws s3api put-bucket-encryption --bucket $B --server-side-encryption-configuration ' +
  '\'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}\'';
