/** A rule catalog as Markdown (docs/preflight.md's rule list, kept in sync by a test). */
import type { RuleInfo } from '../../core/findings.js';

export const RULES_BEGIN =
  '<!-- rules:begin (generated from the catalog: UPDATE_DOCS=1 rewrites it) -->';
export const RULES_END = '<!-- rules:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A summary table, then one section per rule whose heading is the rule's docs anchor. */
export function renderRuleCatalogMarkdown(rules: readonly RuleInfo[]): string {
  // Prettier would realign the table and break the comparison with the catalog.
  const lines = [
    RULES_BEGIN,
    '<!-- prettier-ignore-start -->',
    '',
    '| ID | Systems | Severity | Checks |',
    '| --- | --- | --- | --- |',
    ...rules.map(
      (info) =>
        `| [${info.id}](#${info.id.toLowerCase()}) | ${info.kinds.join(', ')} | ${info.severity} | ${cell(info.title)} |`,
    ),
  ];
  for (const info of rules) {
    lines.push(
      '',
      `### ${info.id}`,
      '',
      `**${info.title}** (${info.severity}; ${info.kinds.join(', ')})`,
      '',
      `- Why: ${info.why}`,
      `- Threshold: ${info.threshold}`,
      `- Source: ${info.source}`,
      `- Fix: ${info.remedy}`,
    );
  }
  lines.push('', '<!-- prettier-ignore-end -->', RULES_END);
  return lines.join('\n');
}

/** Replaces the generated block of `document` (between the markers) with `block`. */
export function replaceGeneratedBlock(document: string, block: string): string {
  const start = document.indexOf(RULES_BEGIN);
  const end = document.indexOf(RULES_END);
  if (start < 0 || end < start) return `${document.trimEnd()}\n\n${block}\n`;
  return `${document.slice(0, start)}${block}${document.slice(end + RULES_END.length)}`;
}
