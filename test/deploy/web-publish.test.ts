import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST_KEY } from '../../deploy/tool/web-publish.js';
import {
  cfnActions,
  createChangeSetParams,
  DENIED_BUCKET,
  deploy,
  DISTRIBUTION_ID,
  OUTPUTS,
  s3Calls,
  state,
  stored,
  useDeployHarness,
  WEB_BUCKET,
  webCalls,
  writeWebBuild,
} from './support/deploy-harness.js';

useDeployHarness();

const IMMUTABLE = 'public, max-age=31536000, immutable';
const V1_ASSETS = ['assets/chat-Ab12Cd34.js', 'assets/index-Ab12Cd34.js', 'assets/index-Qw12Er34.css'];
const webPuts = () => s3Calls('PutObject', WEB_BUCKET);
const headersOf = (key: string) => state.fake.objectHeaders.get(`${WEB_BUCKET}/${key}`);
const invalidations = () => state.fake.calls.filter((call) => call.action === 'CreateInvalidation');
const seedDeployedStack = (outputs: Record<string, string> = OUTPUTS) =>
  state.fake.seedStack('voice-assistant-dev', 'UPDATE_COMPLETE', outputs);

describe('npm run deploy publishes the web client', () => {
  it('after the stack: hashed assets first, index.html last, config.json from the outputs, then an invalidation', async () => {
    const { code, stdout, stderr } = await deploy(['--env', 'dev', '--yes']);
    expect(stderr).not.toContain('error');
    expect(code).toBe(0);

    // The stack settles before anything reaches the web bucket.
    const firstWebCall = state.fake.calls.findIndex((call) => call.params.Bucket === WEB_BUCKET);
    const executed = state.fake.calls.findIndex((call) => call.action === 'ExecuteChangeSet');
    expect(firstWebCall).toBeGreaterThan(executed);

    expect(webCalls().map((call) => `${call.action} ${call.params.Key ?? call.params.Paths ?? ''}`)).toEqual([
      'ListObjectsV2 ',
      `GetObject ${MANIFEST_KEY}`,
      ...V1_ASSETS.map((key) => `PutObject ${key}`),
      'PutObject pcm-worklet.js',
      'PutObject config.json',
      'PutObject index.html',
      'CreateInvalidation /index.html /config.json / /pcm-worklet.js',
      `PutObject ${MANIFEST_KEY}`,
    ]);

    for (const key of V1_ASSETS) expect(headersOf(key)?.cacheControl).toBe(IMMUTABLE);
    for (const key of ['index.html', 'config.json', 'pcm-worklet.js'])
      expect(headersOf(key)?.cacheControl).toBe('no-cache');
    expect(headersOf('index.html')?.contentType).toBe('text/html; charset=utf-8');
    expect(headersOf('assets/index-Ab12Cd34.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(headersOf('assets/index-Qw12Er34.css')?.contentType).toBe('text/css; charset=utf-8');
    expect(headersOf('config.json')?.contentType).toBe('application/json; charset=utf-8');

    expect(JSON.parse(stored('config.json', WEB_BUCKET)?.toString() ?? '')).toEqual({
      auth: {
        kind: 'cognito',
        domain: OUTPUTS.HostedUiDomain,
        clientId: OUTPUTS.UserPoolClientId,
        redirectUri: `${OUTPUTS.WebUrl}/auth/callback`,
      },
      apiBase: OUTPUTS.ApiUrl,
      voice: 'http',
    });

    const [invalidation] = invalidations();
    expect(invalidation?.params).toMatchObject({ DistributionId: DISTRIBUTION_ID, Quantity: '4' });
    expect(invalidation?.params.CallerReference).toMatch(/^web-2026-12-01T00:25:00\.000Z-[0-9a-f]{16}$/);
    expect(stdout).toContain('Published the web client: 6 uploaded, 0 unchanged, 0 deleted; invalidation I');
    expect(stdout).toContain(`Open the web client: ${OUTPUTS.WebUrl}/`);
  });

  it('--web-only publishes to the deployed stack without a change set; a second publish uploads nothing', async () => {
    seedDeployedStack();
    const first = await deploy(['--env', 'dev', '--web-only']);
    expect(first.code).toBe(0);
    expect(cfnActions()).toEqual(['DescribeStacks']);
    expect(s3Calls('PutObject')).toEqual([]);
    expect(webPuts()).toHaveLength(7);

    state.fake.calls.length = 0;
    const second = await deploy(['--env', 'dev', '--web-only']);
    expect(second.code).toBe(0);
    expect(webPuts()).toEqual([]);
    expect(invalidations()).toEqual([]);
    expect(s3Calls('DeleteObject', WEB_BUCKET)).toEqual([]);
    expect(second.stdout).toContain('0 uploaded, 6 unchanged, 0 deleted; nothing to invalidate');
    expect(second.stderr).toContain('no CloudFront invalidation needed');
  });

  it('keeps the previous release for browsers still running it and deletes what is older', async () => {
    seedDeployedStack();
    // An object from before the tool managed the bucket is kept through the first release, like a previous one.
    state.fake.objects.set(`${WEB_BUCKET}/legacy.js`, Buffer.from('old'));
    expect((await deploy(['--env', 'dev', '--web-only'])).code).toBe(0);

    await writeWebBuild(state.web, 'v2');
    state.fake.calls.length = 0;
    const second = await deploy(['--env', 'dev', '--web-only']);
    expect(second.code).toBe(0);
    expect(webPuts()).toEqual(['assets/chat-Zz0000v2.js', 'assets/index-Zz0000v2.js', 'index.html', MANIFEST_KEY]);
    expect(invalidations().map((call) => call.params.Paths)).toEqual(['/index.html /config.json /']);
    expect(s3Calls('DeleteObject', WEB_BUCKET)).toEqual(['legacy.js']);
    expect(stored('assets/index-Ab12Cd34.js', WEB_BUCKET)).toBeDefined();

    await writeWebBuild(state.web, 'v3');
    state.fake.calls.length = 0;
    const third = await deploy(['--env', 'dev', '--web-only']);
    expect(third.code).toBe(0);
    // v1's chunks go only once v3 is live; v2's stay. Deletions come after the new index.html and the invalidation.
    expect(s3Calls('DeleteObject', WEB_BUCKET)).toEqual(['assets/chat-Ab12Cd34.js', 'assets/index-Ab12Cd34.js']);
    const actions = webCalls().map((call) => call.action);
    expect(actions.indexOf('CreateInvalidation')).toBeLessThan(actions.indexOf('DeleteObject'));
    expect(stored('assets/index-Zz0000v2.js', WEB_BUCKET)).toBeDefined();
    expect(stored('assets/index-Qw12Er34.css', WEB_BUCKET)).toBeDefined();
    expect(JSON.parse(stored(MANIFEST_KEY, WEB_BUCKET)?.toString() ?? '')).toMatchObject({
      previous: expect.arrayContaining(['assets/index-Zz0000v2.js']),
      current: expect.arrayContaining(['assets/index-Zz0000v3.js', 'config.json', 'index.html']),
    });
  });

  it('--wait polls GetInvalidation until CloudFront reports it Completed', async () => {
    seedDeployedStack();
    const { code, stderr } = await deploy(['--env', 'dev', '--web-only', '--wait']);
    expect(code).toBe(0);
    expect(
      webCalls()
        .map((call) => call.action)
        .slice(-4),
    ).toEqual(['CreateInvalidation', 'GetInvalidation', 'GetInvalidation', 'PutObject']);
    expect(stderr).toMatch(/Invalidation I\d+: Completed/);
  });

  it('--dry-run prints the files, sizes, headers and invalidation paths without any AWS call', async () => {
    const { code, stdout } = await deploy(['--env', 'dev', '--web-only', '--dry-run']);
    expect(code).toBe(0);
    expect(state.fake.calls).toEqual([]);
    const rows = stdout.split('\n').filter((line) => /^ {2}(assets|index|config|pcm)/.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/)[0])).toEqual([
      ...V1_ASSETS,
      'pcm-worklet.js',
      'config.json',
      'index.html',
    ]);
    expect(stdout).toMatch(
      /assets\/index-Ab12Cd34\.js\s+\d+ B\s+text\/javascript; charset=utf-8\s+public, max-age=31536000, immutable/,
    );
    expect(stdout).toMatch(/index\.html\s+\d+ B\s+text\/html; charset=utf-8\s+no-cache/);
    expect(stdout).toContain(
      'CloudFront invalidation (DistributionId output) when an unhashed file changed: /index.html /config.json /',
    );
    expect(stdout).toContain('Dry run: no AWS call was made.');
  });

  it('builds the client first when the build is missing, and refuses a missing one with --skip-web-build', async () => {
    seedDeployedStack();
    const fresh = join(state.work, 'fresh-web');
    const refused = await deploy(['--env', 'dev', '--web-only', '--web-dir', fresh, '--skip-web-build']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The web client is not built');
    expect(refused.stderr).toContain('npm run build:web');
    expect(state.fake.calls).toEqual([]);

    const built = await deploy(['--env', 'dev', '--web-only', '--web-dir', fresh]);
    expect(built.code).toBe(0);
    expect(state.webBuilds).toEqual([fresh]);
    expect(built.stderr).toContain('Building the web client (npm run build:web)');
  });

  it("keeps the pipeline's WebPublisherRoleArn on a stack update, so a laptop deploy does not drop its grant", async () => {
    const role = 'arn:aws:iam::123456789012:role/voice-assistant-WebPublishRole-ABC';
    state.fake.seedStack('voice-assistant-dev', 'UPDATE_COMPLETE', OUTPUTS, { WebPublisherRoleArn: role });
    expect((await deploy(['--env', 'dev', '--yes'])).code).toBe(0);
    expect(createChangeSetParams().params.WebPublisherRoleArn).toBe(role);
  });
});

describe('npm run deploy web publish errors', () => {
  it('says to deploy the stack first when it does not exist', async () => {
    const { code, stderr } = await deploy(['--env', 'dev', '--web-only']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: The stack voice-assistant-dev is not deployed');
    expect(stderr).toContain('Deploy it first');
    expect(webCalls()).toEqual([]);
  });

  it('names the outputs an older stack lacks', async () => {
    const { WebBucketName: _bucket, DistributionId: _distribution, ...older } = OUTPUTS;
    seedDeployedStack(older);
    const { code, stderr } = await deploy(['--env', 'dev', '--web-only']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: The stack voice-assistant-dev lacks the outputs WebBucketName, DistributionId.');
    expect(webCalls()).toEqual([]);
  });

  it('says so when the web bucket does not exist, and when access to it is denied', async () => {
    seedDeployedStack({ ...OUTPUTS, WebBucketName: 'deleted-web-bucket' });
    const missing = await deploy(['--env', 'dev', '--web-only']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "error: The web bucket deleted-web-bucket (the stack's WebBucketName output) does not exist",
    );

    state.fake.seedStack('voice-assistant-staging', 'UPDATE_COMPLETE', { ...OUTPUTS, WebBucketName: DENIED_BUCKET });
    const denied = await deploy(['--env', 'staging', '--web-only']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`error: Access denied (listing s3://${DENIED_BUCKET})`);
    expect(denied.stderr).toContain('s3:GetObject/PutObject/DeleteObject');
    expect(invalidations()).toEqual([]);
  });

  it('fails with a clear message and a non-zero exit when the invalidation fails, after the upload', async () => {
    seedDeployedStack();
    state.fake.script({
      invalidation: {
        failure: { status: 400, code: 'TooManyInvalidationsInProgress', message: 'Processing your request' },
      },
    });
    const { code, stderr } = await deploy(['--env', 'dev', '--web-only']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: The CloudFront invalidation failed');
    expect(stderr).toContain('TooManyInvalidationsInProgress');
    expect(stderr).toContain(
      `aws cloudfront create-invalidation --distribution-id ${DISTRIBUTION_ID} --paths /index.html`,
    );
    expect(webPuts()).toContain('index.html');
    expect(webPuts()).not.toContain(MANIFEST_KEY);
    expect(s3Calls('DeleteObject', WEB_BUCKET)).toEqual([]);

    // Run again: nothing uploads, but the invalidation that failed is made this time.
    state.fake.script({});
    state.fake.calls.length = 0;
    const again = await deploy(['--env', 'dev', '--web-only']);
    expect(again.code).toBe(0);
    expect(webPuts()).toEqual([MANIFEST_KEY]);
    expect(invalidations().map((call) => call.params.Paths)).toEqual(['/index.html /config.json /']);
  });

  it('reports a distribution that is gone, and one the identity may not invalidate', async () => {
    // The output names a distribution CloudFront no longer has (deleted by hand).
    seedDeployedStack({ ...OUTPUTS, DistributionId: 'E2GONE' });
    state.fake.script({
      invalidation: {
        failure: { status: 404, code: 'NoSuchDistribution', message: 'The specified distribution does not exist.' },
      },
    });
    const gone = await deploy(['--env', 'dev', '--web-only']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('error: The CloudFront distribution E2GONE');
    expect(gone.stderr).toContain('does not exist');

    state.fake.script({});
    state.fake.seedStack('voice-assistant-prod', 'UPDATE_COMPLETE', { ...OUTPUTS, DistributionId: 'E2DENIED' });
    const denied = await deploy(['--env', 'prod', '--web-only']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('error: Access denied (invalidating');
    expect(denied.stderr).toContain('cloudfront:CreateInvalidation');
  });

  it('refuses --web-only with --package-only or --skip-web', async () => {
    const { code, stderr } = await deploy(['--env', 'dev', '--web-only', '--skip-web']);
    expect(code).toBe(1);
    expect(stderr).toContain('--web-only excludes --package-only and --skip-web.');
  });
});
