import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsClients {
  cloudFormation: CloudFormationClient;
  s3: S3Client;
  /** For the web client's invalidations; CloudFront's API is global (us-east-1 signing), whatever the region. */
  cloudFront: CloudFrontClient;
  /** The region the clients resolved (from --region, AWS_REGION or the profile), for the templates' S3 URLs. */
  region(): Promise<string>;
  destroy(): void;
}

/**
 * Created only when a step needs AWS, so a dry run never builds a client (nor resolves credentials). Endpoints follow
 * the SDK's own `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` settings; with an S3 endpoint override the client
 * uses path-style addressing, which local S3 stand-ins (s3rver, MinIO, LocalStack) need.
 */
export function createClients(options: { region?: string; env: NodeJS.ProcessEnv }): AwsClients {
  const region = options.region ? { region: options.region } : {};
  const s3Override = Boolean(options.env.AWS_ENDPOINT_URL_S3 ?? options.env.AWS_ENDPOINT_URL);
  const cloudFormation = new CloudFormationClient({ ...region });
  const s3 = new S3Client({ ...region, ...(s3Override && { forcePathStyle: true }) });
  const cloudFront = new CloudFrontClient({ ...region });
  return {
    cloudFormation,
    s3,
    cloudFront,
    region: () => cloudFormation.config.region(),
    destroy: () => {
      cloudFormation.destroy();
      s3.destroy();
      cloudFront.destroy();
    },
  };
}
