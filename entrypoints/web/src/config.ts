import type { ClientConfig } from './App';

/** What went wrong loading /config.json: shown as the page, since the client cannot sign anyone in without it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value);

/** Checks the runtime configuration's shape; returns every problem, not just the first. */
export function validateClientConfig(value: unknown): { config: ClientConfig } | { problems: string[] } {
  if (!isRecord(value)) return { problems: ['it is not a JSON object'] };
  const problems: string[] = [];
  const { auth, apiBase, voice } = value;
  if (apiBase !== undefined && apiBase !== '' && !isUrl(apiBase)) problems.push('apiBase must be an http(s) URL');
  if (voice !== undefined && voice !== 'websocket' && voice !== 'http')
    problems.push('voice must be "websocket" or "http"');
  if (!isRecord(auth)) {
    problems.push('auth is missing');
  } else if (auth.kind === 'cognito') {
    if (!isUrl(auth.domain)) problems.push('auth.domain must be the hosted UI URL');
    if (typeof auth.clientId !== 'string' || auth.clientId === '') problems.push('auth.clientId is missing');
    if (!isUrl(auth.redirectUri)) problems.push('auth.redirectUri must be an http(s) URL');
    if (auth.scopes !== undefined && !(Array.isArray(auth.scopes) && auth.scopes.every((s) => typeof s === 'string')))
      problems.push('auth.scopes must be a list of strings');
  } else if (auth.kind !== 'local') {
    problems.push('auth.kind must be "cognito" or "local"');
  }
  return problems.length > 0 ? { problems } : { config: value as unknown as ClientConfig };
}

const HOW_TO_FIX =
  'The deploy writes it next to the client: npm run deploy -- --env <env> (or --web-only for the client alone). ' +
  'Locally, npm start serves it.';

/**
 * Fetches /config.json, written per environment by the deploy (or served by the local server), so one build of the
 * client serves every environment. A missing file arrives as index.html on CloudFront (the SPA fallback answers 200),
 * hence the check on the content type and the parse.
 */
export async function loadClientConfig(fetchImpl: typeof fetch = (...args) => fetch(...args)): Promise<ClientConfig> {
  let response: Response;
  try {
    response = await fetchImpl('/config.json', { cache: 'no-cache' });
  } catch (error) {
    throw new ConfigError(`The client configuration (/config.json) could not be fetched: ${String(error)}.`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !/json/i.test(type)) {
    throw new ConfigError(
      `The client configuration (/config.json) is missing (HTTP ${response.status}${type ? `, ${type}` : ''}). ${HOW_TO_FIX}`,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError(`The client configuration (/config.json) is not valid JSON. ${HOW_TO_FIX}`);
  }
  const checked = validateClientConfig(body);
  if ('problems' in checked) {
    throw new ConfigError(`The client configuration (/config.json) is invalid: ${checked.problems.join('; ')}.`);
  }
  return checked.config;
}
