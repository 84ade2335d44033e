import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../free-port.js';

/** A cognito-local child process on a loopback port, driven over the awsJson 1.1 API that the Cognito SDK speaks. */
export interface CognitoLocal {
  url: string;
  /** Calls one `AWSCognitoIdentityProviderService.<operation>`; rejects with the service's `__type` on an error. */
  call<T = Record<string, any>>(operation: string, body: Record<string, unknown>): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
  issuerOf(userPoolId: string): string;
  stop(): Promise<void>;
}

export interface PoolUser {
  username: string;
  password: string;
  groups?: string[];
}

const START_DEADLINE_MS = 20_000;
const packageDir = dirname(createRequire(import.meta.url).resolve('cognito-local/package.json'));

/**
 * cognito-local signs every token with one RSA key that ships inside the package, so a test can read it and sign
 * arbitrary claims exactly as the emulator would (PEM, `kid: CognitoLocal`, RS256).
 */
export function cognitoLocalSigningKey(): { pem: string; kid: string } {
  const key = JSON.parse(readFileSync(join(packageDir, 'lib', 'keys', 'cognitoLocal.private.json'), 'utf8')) as {
    pem: string;
    jwk: { kid: string };
  };
  return { pem: key.pem, kid: key.jwk.kid };
}

/** Starts cognito-local in its own temporary directory, so its `.cognito` database never lands in the repository. */
export async function startCognitoLocal(): Promise<CognitoLocal> {
  // The emulator builds its issuer from the PORT it is given, so port 0 would give tokens an issuer of ":0".
  const port = await freePort();
  const cwd = await mkdtemp(join(tmpdir(), 'cognito-local-'));
  const child = spawn(process.execPath, [join(packageDir, 'lib', 'bin', 'start.js')], {
    cwd,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await ready(child);
  } catch (error) {
    await stopChild(child);
    await rm(cwd, { recursive: true, force: true });
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    issuerOf: (userPoolId) => `${url}/${userPoolId}`,
    call: async (operation, body) => {
      const { status, body: bytes } = await loopbackRequest(`${url}/`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
        },
      });
      const reply = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      if (status !== 200)
        throw new Error(`cognito-local ${operation}: ${String(reply.__type)}: ${String(reply.message)}`);
      return reply as never;
    },
    stop: async () => {
      await stopChild(child);
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/** Creates a user pool, its app clients and confirmed users with permanent passwords; returns their ids. */
export async function createPool(
  cognito: CognitoLocal,
  options: { name: string; clients: string[]; users: PoolUser[] },
): Promise<{ userPoolId: string; clientIds: string[]; subs: Map<string, string> }> {
  const { UserPool } = await cognito.call('CreateUserPool', { PoolName: options.name });
  const userPoolId = String(UserPool.Id);
  const clientIds: string[] = [];
  for (const clientName of options.clients) {
    const { UserPoolClient } = await cognito.call('CreateUserPoolClient', {
      UserPoolId: userPoolId,
      ClientName: clientName,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    clientIds.push(String(UserPoolClient.ClientId));
  }
  for (const group of new Set(options.users.flatMap((user) => user.groups ?? []))) {
    await cognito.call('CreateGroup', { UserPoolId: userPoolId, GroupName: group });
  }
  const subs = new Map<string, string>();
  for (const user of options.users) {
    const { User } = await cognito.call('AdminCreateUser', {
      UserPoolId: userPoolId,
      Username: user.username,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: `${user.password}-temporary`,
      UserAttributes: [{ Name: 'email', Value: user.username }],
    });
    const sub = (User.Attributes as { Name: string; Value: string }[]).find((a) => a.Name === 'sub')?.Value;
    if (!sub) throw new Error(`cognito-local gave ${user.username} no sub`);
    subs.set(user.username, sub);
    await cognito.call('AdminSetUserPassword', {
      UserPoolId: userPoolId,
      Username: user.username,
      Password: user.password,
      Permanent: true,
    });
    for (const group of user.groups ?? []) {
      await cognito.call('AdminAddUserToGroup', { UserPoolId: userPoolId, Username: user.username, GroupName: group });
    }
  }
  return { userPoolId, clientIds, subs };
}

/** Signs in with USER_PASSWORD_AUTH, the flow a voice client with its own login screen uses. */
export async function signIn(
  cognito: CognitoLocal,
  clientId: string,
  user: PoolUser,
): Promise<{ accessToken: string; idToken: string }> {
  const { AuthenticationResult } = await cognito.call('InitiateAuth', {
    ClientId: clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
  });
  return { accessToken: String(AuthenticationResult.AccessToken), idToken: String(AuthenticationResult.IdToken) };
}

/**
 * One connection per call: the emulator (Express) closes idle keep-alive sockets after 5 s, and a pooled client that
 * reuses one just then fails with "other side closed".
 */
export function loopbackRequest(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Buffer }> {
  if (new URL(url).hostname !== '127.0.0.1')
    return Promise.reject(new Error(`only 127.0.0.1 may be reached, not ${url}`));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    // A start deadline, not a timing assertion: without it a hung emulator would outlive the hook that waits for it.
    const deadline = setTimeout(
      () => reject(new Error(`cognito-local did not start within ${START_DEADLINE_MS} ms:\n${output}`)),
      START_DEADLINE_MS,
    );
    const onData = (chunk: Buffer) => {
      output = `${output}${chunk.toString('utf8')}`.slice(-4000);
      if (output.includes('Cognito Local running on')) {
        clearTimeout(deadline);
        resolve();
      }
    };
    // Both streams stay drained for the child's whole life, or its request log would fill the pipe and stall it.
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`cognito-local exited with ${code} before it was ready:\n${output}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
