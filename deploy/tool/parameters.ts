import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeployError } from './errors.js';
import type { Template } from './templates.js';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** An environment file: CodePipeline's template configuration format. */
export interface TemplateConfiguration {
  Parameters: Record<string, string>;
  Tags: Record<string, string>;
}

export type ParameterSource = 'environment file' | 'computed' | 'command line';

export interface ResolvedParameter {
  key: string;
  value: string;
  source: ParameterSource;
}

export function assertEnvironment(env: string | undefined): EnvironmentName {
  if (ENVIRONMENTS.includes(env as EnvironmentName)) return env as EnvironmentName;
  throw new DeployError(
    env === undefined ? 'No environment given.' : `Unknown environment "${env}".`,
    `Pass --env with one of: ${ENVIRONMENTS.join(', ')}.`,
  );
}

/** Reads `environments/<env>.json`; values become strings, as CloudFormation parameters are. */
export async function readEnvironmentFile(templatesDir: string, env: EnvironmentName): Promise<TemplateConfiguration> {
  const path = join(templatesDir, 'environments', `${env}.json`);
  const text = await readFile(path, 'utf8').catch(() => {
    throw new DeployError(
      `The environment file ${path} does not exist.`,
      `Create it as {"Parameters": {...}, "Tags": {...}} (CodePipeline's template configuration format).`,
    );
  });
  let parsed: { Parameters?: Record<string, unknown>; Tags?: Record<string, unknown> };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    throw new DeployError(`The environment file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return { Parameters: stringValues(parsed.Parameters), Tags: stringValues(parsed.Tags) };
}

function stringValues(record: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record ?? {}).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : String(value)]),
  );
}

/** `--parameter Key=Value` (the value may itself contain `=`). */
export function parseParameterOption(raw: string): [string, string] {
  const at = raw.indexOf('=');
  if (at <= 0) throw new DeployError(`--parameter ${raw} is not Key=Value.`, 'Write it as --parameter Name=value.');
  return [raw.slice(0, at), raw.slice(at + 1)];
}

/**
 * Merges the three sources (environment file < computed < command line), keeping only what the root template
 * declares for computed values and refusing any other name it does not declare: CloudFormation would reject the
 * change set later, after the uploads, with a vaguer message. Parameters without a Default must end up with a value.
 */
export function resolveParameters(
  template: Template,
  sources: { file: Record<string, string>; computed: Record<string, string>; cli: Array<[string, string]> },
  describe: { file: string },
): ResolvedParameter[] {
  const declared = template.Parameters ?? {};
  const unknown = [
    ...Object.keys(sources.file)
      .filter((key) => !(key in declared))
      .map((key) => `${key} (in ${describe.file})`),
    ...sources.cli.filter(([key]) => !(key in declared)).map(([key]) => `${key} (--parameter)`),
  ];
  if (unknown.length > 0) {
    throw new DeployError(
      `Unknown parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; main.yaml does not declare ` +
        `${unknown.length > 1 ? 'them' : 'it'}.`,
      `Declared parameters: ${Object.keys(declared).join(', ')}.`,
    );
  }
  const merged = new Map<string, ResolvedParameter>();
  for (const [key, value] of Object.entries(sources.file)) merged.set(key, { key, value, source: 'environment file' });
  for (const [key, value] of Object.entries(sources.computed)) {
    if (key in declared) merged.set(key, { key, value, source: 'computed' });
  }
  for (const [key, value] of sources.cli) merged.set(key, { key, value, source: 'command line' });
  const missing = Object.entries(declared)
    .filter(([key, spec]) => !merged.has(key) && spec.Default === undefined)
    .map(([key]) => key);
  if (missing.length > 0) {
    throw new DeployError(
      `No value for parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (main.yaml gives no Default).`,
      `Add ${missing.length > 1 ? 'them' : 'it'} to ${describe.file} or pass --parameter Name=value.`,
    );
  }
  return Object.keys(declared)
    .map((key) => merged.get(key))
    .filter((parameter): parameter is ResolvedParameter => parameter !== undefined);
}
