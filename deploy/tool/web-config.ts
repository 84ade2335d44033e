import type { Stack } from '@aws-sdk/client-cloudformation';
import type { WebClientConfig } from '../../entrypoints/http/routes/web.js';
import { DeployError } from './errors.js';

/** The stack outputs the web publish reads (main.yaml's Outputs). */
export const WEB_OUTPUTS = [
  'WebBucketName',
  'DistributionId',
  'WebUrl',
  'ApiUrl',
  'HostedUiDomain',
  'UserPoolClientId',
] as const;

/** Stack states whose outputs describe live resources. */
const SETTLED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE']);

export interface WebTarget {
  bucket: string;
  distributionId: string;
  /** The CloudFront URL (https://dxxxx.cloudfront.net), where the client is opened. */
  webUrl: string;
  /** What the client fetches as /config.json: the API, the Cognito hosted UI and the voice transport (`http`). */
  config: WebClientConfig;
}

/**
 * Reads the publish target from the deployed stack: its outputs, and the WebOrigin parameter when the client is
 * served from a custom domain (the Cognito callback registered in identity.yaml follows the same origin).
 */
export function webTarget(stackName: string, stack: Stack | undefined): WebTarget {
  if (!stack) {
    throw new DeployError(
      `The stack ${stackName} is not deployed, so there is nowhere to publish the web client.`,
      `Deploy it first: npm run deploy -- --env <env> (without --web-only); or pass --stack-name if it is named otherwise.`,
    );
  }
  const status = stack.StackStatus ?? '?';
  if (!SETTLED.has(status)) {
    throw new DeployError(
      `The stack ${stackName} is ${status}: its outputs cannot be trusted for a web publish.`,
      'Wait for it to settle, or fix and deploy the stack first.',
    );
  }
  const outputs = new Map((stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  const missing = WEB_OUTPUTS.filter((name) => !outputs.get(name));
  if (missing.length > 0) {
    throw new DeployError(
      `The stack ${stackName} lacks the output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`,
      'It was deployed from templates older than the web publish: deploy the current templates first ' +
        '(npm run deploy -- --env <env>).',
    );
  }
  const get = (name: (typeof WEB_OUTPUTS)[number]) => outputs.get(name) ?? '';
  const webOrigin = stack.Parameters?.find((parameter) => parameter.ParameterKey === 'WebOrigin')?.ParameterValue;
  const origin = withoutSlash(webOrigin || get('WebUrl'));
  return {
    bucket: get('WebBucketName'),
    distributionId: get('DistributionId'),
    webUrl: withoutSlash(get('WebUrl')),
    config: {
      auth: {
        kind: 'cognito',
        domain: withoutSlash(withScheme(get('HostedUiDomain'))),
        clientId: get('UserPoolClientId'),
        redirectUri: `${origin}/auth/callback`,
      },
      apiBase: withoutSlash(get('ApiUrl')),
      // API Gateway REST has no WebSocket route: the client sends each utterance as an HTTP turn.
      voice: 'http',
    },
  };
}

/** config.json's bytes: stable (two-space JSON, trailing newline), so an unchanged environment uploads nothing. */
export function configBody(config: WebClientConfig): Uint8Array {
  return Buffer.from(`${JSON.stringify(config, null, 2)}\n`);
}

function withoutSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** identity.yaml's HostedUiDomain carries https://; a bare domain (older templates) gets it. */
function withScheme(domain: string): string {
  return /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
}
