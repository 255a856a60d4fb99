/** The table of `--apply`: each object and what the API server did, then what to run next. */
import { stringify } from 'yaml';
import type { KubernetesApplyReport } from '../../ops/kubernetes/apply-objects.js';
import { formatTable } from './table.js';

export function renderApplyReport(report: KubernetesApplyReport): string {
  const where = `context "${report.context}" (${report.server}), namespace "${report.namespace}"`;
  if (report.dryRun) {
    // The calls first (what would happen), then the objects themselves (what would be sent).
    const calls = report.objects.map(
      (object) =>
        `  ${object.call.method} ${object.call.path}\n    Content-Type: ${object.call.contentType}`,
    );
    const bodies = report.objects
      .filter((object) => object.object !== undefined)
      .map((object) => stringify(object.object, { aliasDuplicateObjects: false }));
    return [
      `Dry run: nothing applied. Server-side apply to ${where} would send:`,
      ...calls,
      '',
      `---\n${bodies.join('---\n')}`,
    ].join('\n');
  }
  const table = formatTable(
    ['OBJECT', 'ACTION'],
    report.objects.map((object) => [`${object.kind}/${object.name}`, object.action]),
  );
  const next = report.followUp.map((command) => `  ${command}`).join('\n');
  return `Applied to ${where}:\n${table}${next === '' ? '' : `\nNext:\n${next}\n`}`;
}
