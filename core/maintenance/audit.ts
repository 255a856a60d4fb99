/** The audit record every mutating command leaves in the state dir: who, when, what, outcome. */
import type { MaintenanceReport } from './plan.js';

export interface AuditRecord {
  /** ISO time the command started. */
  at: string;
  /** The OS user and host that ran it. */
  user: string;
  host: string;
  /** The command line, with secret flag values redacted. */
  argv: string[];
  cluster: string;
  report: MaintenanceReport;
}

const SECRET_FLAGS = new Set(['--password', '--token', '--key']);

/** `--password x` and `--password=x` become `--password ***`; everything else is kept. */
export function redactArgv(argv: readonly string[]): string[] {
  const redacted: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const [flag] = arg.split('=', 1);
    if (flag !== undefined && SECRET_FLAGS.has(flag) && arg.includes('=')) {
      redacted.push(`${flag}=***`);
    } else if (SECRET_FLAGS.has(arg) && index + 1 < argv.length) {
      redacted.push(arg, '***');
      index += 1;
    } else {
      redacted.push(arg);
    }
  }
  return redacted;
}
