import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isObject } from './template-model.js';
import { readTemplateFolder } from './template-checker.js';

export const RULES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'rules');

/** One rule a template breaks: which file, rule and resource, and the rule's message. */
export interface GuardViolation {
  file: string;
  rule: string;
  logicalId?: string;
  message: string;
}

export interface GuardResult {
  templates: string[];
  /** The rule names of the rule files (`rule NAME ...`). */
  rules: string[];
  /** The rules some template satisfied with a resource they apply to (a rule no template reaches only skips). */
  passed: string[];
  violations: GuardViolation[];
}

const PLATFORM_DIRS: Record<string, string> = { linux: 'ubuntu', darwin: 'macos' };
const ARCH_DIRS: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

/** The cfn-guard 3 binary shipped in `@cdklabs/cdk-validator-cfnguard` for this machine; throws saying why not. */
export function cfnGuardBinary(): string {
  const platform = PLATFORM_DIRS[process.platform];
  const arch = ARCH_DIRS[process.arch];
  if (!platform || !arch) {
    throw new Error(
      `cfn-guard: @cdklabs/cdk-validator-cfnguard ships no binary for ${process.platform}/${process.arch}`,
    );
  }
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
  } catch {
    throw new Error('cfn-guard: @cdklabs/cdk-validator-cfnguard is not installed (npm install)');
  }
  const binary = join(packageDir, 'bin', platform, arch, 'cfn-guard');
  if (!existsSync(binary)) throw new Error(`cfn-guard: no binary at ${binary}`);
  return binary;
}

/**
 * Runs every rule of `rulesDir` against every template under `dir`, each template on its own (a nested stack's
 * resources are checked in the child's file). Templates are handed to cfn-guard in their long JSON form: cfn-guard
 * does not read CloudFormation's short YAML tags (`!Ref`), so they are expanded first by the same parser as check:cfn.
 */
export async function runGuard(dir: string, rulesDir = RULES_DIR): Promise<GuardResult> {
  const folder = await readTemplateFolder(dir);
  if (folder.parseErrors.length > 0) {
    throw new Error(`cfn-guard: cannot parse ${folder.parseErrors.map((error) => error.file).join(', ')}`);
  }
  const ruleFiles = (await readdir(rulesDir)).filter((file) => file.endsWith('.guard')).sort();
  const rules: string[] = [];
  for (const file of ruleFiles) {
    const text = await readFile(join(rulesDir, file), 'utf8');
    rules.push(...[...text.matchAll(/^rule\s+(\w+)/gm)].map((match) => match[1]!));
  }
  const scratch = await mkdtemp(join(tmpdir(), 'cfn-guard-'));
  try {
    const names = new Map<string, string>();
    for (const [index, template] of folder.templates.entries()) {
      const data = join(scratch, `${index}.json`);
      names.set(data, template.file);
      await mkdir(dirname(data), { recursive: true });
      await writeFile(data, JSON.stringify(template.body, null, 1));
    }
    const { violations, passed } =
      folder.templates.length === 0
        ? { violations: [], passed: [] }
        : await validate(cfnGuardBinary(), rulesDir, scratch, names);
    return { templates: folder.templates.map((template) => template.file), rules, passed, violations };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function validate(binary: string, rulesDir: string, dataDir: string, names: Map<string, string>) {
  const args = ['validate', '--rules', rulesDir, '--data', dataDir, '--structured', '--output-format', 'json'];
  const { stdout, code } = await new Promise<{ stdout: string; code: number }>((done, fail) => {
    execFile(binary, [...args, '--show-summary', 'none'], { maxBuffer: 64 << 20 }, (error, out, err) => {
      const exit = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      // 19 is cfn-guard's "some rule failed"; anything else non-zero means it could not run (bad rule, bad data).
      if (exit !== 0 && exit !== 19) fail(new Error(`cfn-guard exited ${exit}: ${err || error?.message}`));
      else done({ stdout: out, code: exit });
    });
  });
  const reports = JSON.parse(stdout) as unknown[];
  const violations: GuardViolation[] = [];
  const passed = new Set<string>();
  for (const report of reports) {
    if (!isObject(report) || !Array.isArray(report.not_compliant)) continue;
    if (Array.isArray(report.compliant)) report.compliant.forEach((rule) => passed.add(String(rule)));
    const file = names.get(resolve(String(report.name))) ?? String(report.name);
    for (const entry of report.not_compliant) {
      const rule = isObject(entry) && isObject(entry.Rule) ? entry.Rule : undefined;
      if (rule) violations.push(...ruleViolations(file, String(rule.name), rule.checks));
    }
  }
  if (code === 19 && violations.length === 0) throw new Error('cfn-guard reported a failure that could not be read');
  return { violations, passed: [...passed].sort() };
}

/** One violation per resource a failed rule names, with its clause's custom message (else cfn-guard's own). */
function ruleViolations(file: string, rule: string, checks: unknown): GuardViolation[] {
  const found = new Map<string, GuardViolation>();
  const visit = (node: unknown, message: string | undefined): void => {
    if (Array.isArray(node)) return node.forEach((child) => visit(child, message));
    if (!isObject(node)) return;
    const messages = isObject(node.messages) ? node.messages : undefined;
    const own = messages?.custom_message ?? messages?.error_message;
    const current = typeof own === 'string' && own.trim() ? own.trim() : message;
    const logicalId = typeof node.path === 'string' ? /^\/Resources\/([^/[]+)/.exec(node.path)?.[1] : undefined;
    if (logicalId) {
      const key = `${logicalId}|${current ?? ''}`;
      if (!found.has(key)) found.set(key, { file, rule, logicalId, message: current ?? 'not compliant' });
    }
    for (const child of Object.values(node)) visit(child, current);
  };
  visit(checks, undefined);
  return found.size > 0 ? [...found.values()] : [{ file, rule, message: 'not compliant' }];
}
