import { resolve } from 'node:path';
import { formatFinding } from './findings.js';
import { loadResourceSpec } from './spec.js';
import { checkTemplateFolder } from './template-checker.js';

/*
 * `npm run check:cfn [dir]`: checks every template under dir (default deploy/cloudformation) against the resource
 * specification and for references that do not resolve; prints one line per finding and exits 1 on any.
 */
const dir = resolve(process.argv[2] ?? 'deploy/cloudformation');
const result = await checkTemplateFolder(dir, await loadResourceSpec());
for (const finding of result.findings) console.log(formatFinding(finding));
for (const file of result.skipped) console.log(`${file}: skipped (no Resources, not a template)`);
const counted = `${result.templates.length} templates, ${result.environments.length} environment files`;
if (result.templates.length === 0) {
  console.error(`check:cfn: no template under ${dir}`);
  process.exitCode = 1;
} else if (result.findings.length > 0) {
  console.error(`check:cfn: ${result.findings.length} findings in ${counted}`);
  process.exitCode = 1;
} else {
  console.log(`check:cfn: ${counted}, no findings`);
}
