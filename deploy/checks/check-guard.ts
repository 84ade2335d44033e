import { resolve } from 'node:path';
import { runGuard } from './guard.js';

/*
 * `npm run check:guard [dir]`: runs the policy rules in deploy/checks/rules/ with cfn-guard against every template
 * under dir (default deploy/cloudformation); prints one line per violation and exits 1 on any.
 */
const dir = resolve(process.argv[2] ?? 'deploy/cloudformation');
const result = await runGuard(dir);
for (const violation of result.violations) {
  console.log(`${violation.file}  ${violation.logicalId ?? '-'}  [${violation.rule}] ${violation.message}`);
}
const counted = `${result.rules.length} rules on ${result.templates.length} templates`;
if (result.templates.length === 0) {
  console.error(`check:guard: no template under ${dir}`);
  process.exitCode = 1;
} else if (result.violations.length > 0) {
  console.error(`check:guard: ${result.violations.length} violations (${counted})`);
  process.exitCode = 1;
} else {
  console.log(`check:guard: ${counted}, no violation`);
}
