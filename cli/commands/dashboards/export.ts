import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { UsageError, describeCause } from '../../../core/errors.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { ALERT_RULES } from '../../../core/metrics/alerts.js';
import { METRIC_CATALOG } from '../../../core/metrics/catalog.js';
import {
  GRAFANA_SCHEMA_VERSION,
  generateGrafanaDashboards,
  serializeDashboard,
} from '../../../core/metrics/grafana.js';
import {
  ALERT_RULES_FILE_NAME,
  renderPrometheusRules,
} from '../../../core/metrics/prometheus-rules.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { formatBytes, formatTable } from '../../render/table.js';

const TARGETS = ['grafana', 'alerts'] as const;
type ExportTarget = (typeof TARGETS)[number];

/** The folder of each target under --out: the same layout as the repository's dashboards/. */
const SUBDIRECTORY: Record<ExportTarget, string> = { grafana: 'grafana', alerts: 'prometheus' };

export interface ExportedFile {
  path: string;
  /** `written`: new or changed; `unchanged`: already identical (not touched); `stale`: a generated name this run no longer produces. */
  status: 'written' | 'unchanged' | 'stale';
  bytes: number;
}

export interface DashboardExport {
  target: ExportTarget;
  directory: string;
  files: ExportedFile[];
}

export default class DashboardsExport extends QuorumctlCommand {
  static override summary =
    'Write the Grafana dashboards or the Prometheus alert rules generated from the metric catalog.';

  static override description = `Generates monitoring files from the metric catalog (docs/metrics.md) and the alert definitions (docs/alerts.md): the same files the repository ships in dashboards/.

grafana: DIR/grafana/quorumctl-overview.json (every cluster at a glance) and DIR/grafana/quorumctl-<kind>.json (one per system kind). Grafana classic JSON model, schemaVersion ${GRAFANA_SCHEMA_VERSION} (Grafana 12; newer versions migrate it on import), with a Prometheus data source variable and a cluster variable.

alerts: DIR/prometheus/${ALERT_RULES_FILE_NAME}, Prometheus alerting rules in one group per kind plus quorumctl-common, each rule with a runbook_url into docs/alerts.md.

Every query uses catalog metrics only, as \`quorumctl agent\` exports them.

Files are written atomically (a temporary file, then a rename). A file that already has the same content is not touched, so a second run changes nothing. Generated files this run no longer produces (a kind dropped from the catalog) are listed as STALE and never deleted.

${EXIT_CODE_HELP}
  (2 here: the output directory cannot be created or written)`;

  static override examples = [
    {
      description:
        'Regenerate the dashboards in a checkout of quorumctl (writes ./dashboards/grafana/)',
      command: '<%= config.bin %> dashboards export grafana',
    },
    {
      description: 'Alert rules for a Prometheus server, then check them',
      command:
        '<%= config.bin %> dashboards export alerts --out /etc/prometheus/quorumctl && promtool check rules /etc/prometheus/quorumctl/prometheus/quorumctl-alerts.yaml',
    },
    {
      description: 'Runbook links that open the docs in your own Git hosting',
      command:
        '<%= config.bin %> dashboards export alerts --out build --runbook-base-url https://git.example.com/ops/quorumctl/blob/main/',
    },
    {
      description: 'Dashboards for Grafana provisioning, listing what changed as JSON',
      command:
        '<%= config.bin %> dashboards export grafana --out /var/lib/grafana/dashboards -o json',
    },
  ];

  static override args = {
    target: Args.string({
      required: true,
      options: [...TARGETS],
      description: 'What to generate: grafana (dashboards) or alerts (Prometheus rule file).',
    }),
  };

  static override flags = {
    out: Flags.string({
      description:
        'Directory to write into; grafana/ or prometheus/ is created below it. Default: ./dashboards (the repository layout).',
    }),
    'runbook-base-url': Flags.string({
      description:
        'alerts only: prefix for runbook_url (default: the repository-relative docs/alerts.md#ANCHOR), e.g. https://github.com/ORG/quorumctl/blob/main/',
    }),
    ...outputFlags,
    ...globalFlags,
  };

  protected readonly outputKind = 'DashboardExport' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DashboardsExport);
    const target = args.target as ExportTarget;
    if (target !== 'alerts' && flags['runbook-base-url'] !== undefined) {
      throw new UsageError('FLAG_NOT_APPLICABLE', '--runbook-base-url applies to alerts only', {
        actions: ['drop --runbook-base-url, or run: quorumctl dashboards export alerts'],
      });
    }
    const directory = resolve(flags.out ?? 'dashboards', SUBDIRECTORY[target]);
    const generated =
      target === 'grafana'
        ? generateGrafanaDashboards(METRIC_CATALOG).map((file) => ({
            name: file.fileName,
            text: serializeDashboard(file.dashboard),
          }))
        : [
            {
              name: ALERT_RULES_FILE_NAME,
              text: renderPrometheusRules(
                ALERT_RULES,
                flags['runbook-base-url'] === undefined
                  ? {}
                  : { runbookBaseUrl: flags['runbook-base-url'] },
              ),
            },
          ];
    const files = await writeGenerated(directory, generated);
    await this.emit(this.outputFormat(flags), { target, directory, files }, renderExport);
  }
}

/** Writes each file unless it is already identical, then lists generated names left behind. */
async function writeGenerated(
  directory: string,
  generated: readonly { name: string; text: string }[],
): Promise<ExportedFile[]> {
  try {
    await ensureDirectory(directory);
  } catch (cause) {
    throw writeFailed(directory, cause);
  }
  const files: ExportedFile[] = [];
  for (const { name, text } of generated) {
    const path = join(directory, name);
    const bytes = Buffer.byteLength(text);
    if ((await readIfExists(path)) === text) {
      files.push({ path, status: 'unchanged', bytes });
      continue;
    }
    await writeAtomically(path, text);
    files.push({ path, status: 'written', bytes });
  }
  const names = new Set(generated.map((file) => file.name));
  const present = await readdir(directory);
  for (const name of present.sort()) {
    if (/^quorumctl-.*\.(json|yaml)$/.test(name) && !names.has(name)) {
      files.push({ path: join(directory, name), status: 'stale', bytes: 0 });
    }
  }
  return files;
}

/**
 * mkdir -p, one level at a time: Node's `mkdir(…, { recursive: true })` spins forever on a
 * path it can never create (under /proc), and this command must fail instead.
 */
async function ensureDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(directory);
    if (code !== 'ENOENT' || parent === directory) throw error;
    await ensureDirectory(parent);
    await mkdir(directory).catch((retry: unknown) => {
      if ((retry as NodeJS.ErrnoException).code !== 'EEXIST') throw retry;
    });
  }
}

/** A temporary file beside the target, then a rename: readers never see half a file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o644 });
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw writeFailed(path, cause);
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function writeFailed(path: string, cause: unknown): UsageError {
  return new UsageError('EXPORT_WRITE_FAILED', `cannot write ${path}: ${describeCause(cause)}`, {
    actions: [
      'choose a directory you can write with --out DIR',
      `check the permissions of ${path} and its parent directory`,
    ],
    details: { path },
    cause,
  });
}

function renderExport(result: DashboardExport): string {
  const rows = result.files.map((file) => [
    file.status === 'stale' ? 'STALE' : file.status,
    file.status === 'stale' ? '-' : formatBytes(file.bytes),
    file.path,
  ]);
  const stale = result.files.filter((file) => file.status === 'stale');
  const note =
    stale.length === 0
      ? ''
      : `\n${stale.length} generated file(s) the catalog no longer produces: delete them if nothing else uses them.\n`;
  return formatTable(['STATUS', 'SIZE', 'FILE'], rows) + note;
}
