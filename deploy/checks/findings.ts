/** What a check found: where (file, logical id, path inside the template) and what is wrong. */
export interface Finding {
  /** The check that found it, e.g. `unresolved-ref`: stable, so tests and readers can select on it. */
  check: string;
  /** The template or environment file, relative to the checked folder. */
  file: string;
  /** The resource, parameter, output or condition the finding is about, when there is one. */
  logicalId?: string;
  /** Where inside the file, as a dotted path (`Resources.Fn.Properties.Code.S3Key`). */
  path: string;
  message: string;
}

export type Report = (finding: Omit<Finding, 'file'>) => void;

/** One line per finding: `file  logicalId  path  [check] message`. */
export function formatFinding(finding: Finding): string {
  const where = [finding.file, finding.logicalId ?? '-', finding.path].join('  ');
  return `${where}  [${finding.check}] ${finding.message}`;
}

/** A dotted path from its segments (array indexes included as numbers). */
export const pathOf = (...segments: (string | number)[]) => segments.join('.');
