/** Findings as a SARIF 2.1.0 log, for code-scanning UIs: each result at its file and line. */
import type { Severity } from '../../core/findings.js';
import type { FindingsView } from './findings.js';

export interface SarifTool {
  name: string;
  version: string;
  informationUri?: string;
}

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  warn: 'warning',
  info: 'note',
};

/** Relative paths stay relative (code scanning resolves them against the repository). */
export function artifactUri(file: string): string {
  const slashed = file.replace(/\\/g, '/');
  const encoded = slashed
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  if (/^[A-Za-z]:\//.test(slashed)) return `file:///${encoded.replace('%3A', ':')}`;
  return slashed.startsWith('/') ? `file://${encoded}` : encoded;
}

/** `ETCD-TLS-1` -> `EtcdTls1`: SARIF rule names are identifiers, not sentences. */
function ruleName(id: string): string {
  return id
    .toLowerCase()
    .split('-')
    .map((part) => (part[0] ?? '').toUpperCase() + part.slice(1))
    .join('');
}

export function renderSarif(view: FindingsView, tool: SarifTool): string {
  const rules = view.rules.map((rule) => rule.info);
  const indexOf = new Map(rules.map((info, index) => [info.id, index]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            ...(tool.informationUri !== undefined && { informationUri: tool.informationUri }),
            rules: rules.map((info) => ({
              id: info.id,
              name: ruleName(info.id),
              shortDescription: { text: info.title },
              fullDescription: { text: info.why },
              help: {
                text: `${info.remedy}\nThreshold: ${info.threshold}\nSource: ${info.source}\nDocs: ${info.docs}`,
              },
              defaultConfiguration: { level: LEVELS[info.severity] },
              properties: {
                tags: [...info.kinds, info.scope],
                threshold: info.threshold,
                source: info.source,
                docs: info.docs,
              },
            })),
          },
        },
        invocations: [{ executionSuccessful: true }],
        results: view.findings.map((finding) => ({
          ruleId: finding.ruleId,
          ...(indexOf.has(finding.ruleId) && { ruleIndex: indexOf.get(finding.ruleId) }),
          level: LEVELS[finding.severity],
          message: { text: `${finding.message}. Fix: ${finding.remedy}` },
          ...(finding.location !== undefined && {
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: artifactUri(finding.location.file) },
                  region: {
                    startLine: finding.location.line,
                    startColumn: finding.location.column,
                  },
                },
              },
            ],
          }),
          properties: {
            severity: finding.severity,
            ...(finding.subject !== undefined && { subject: finding.subject }),
            ...(finding.observed !== undefined && { observed: finding.observed }),
            ...(finding.threshold !== undefined && { threshold: finding.threshold }),
            docs: finding.docs,
          },
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
