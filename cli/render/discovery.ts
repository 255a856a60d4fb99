/** The people's view of `quorumctl discover`: a table per cluster, the skipped workloads, what --write wrote. */
import type { DiscoveredCluster } from '../../core/discovery/model.js';
import type { DiscoveryOutcome } from '../../ops/discover.js';
import { formatTable } from './table.js';

export function renderDiscovery(outcome: DiscoveryOutcome): string {
  const where =
    outcome.namespaces === 'all'
      ? 'all namespaces'
      : `namespace${outcome.namespaces.length === 1 ? '' : 's'} ${outcome.namespaces.join(', ')}`;
  const sections = [
    `Context ${outcome.context} (${outcome.server}), ${where}: ${count(outcome.clusters.length, 'cluster')} found\n`,
  ];
  for (const warning of outcome.warnings ?? []) sections.push(`Warning: ${warning}\n`);
  for (const cluster of outcome.clusters) sections.push(renderCluster(cluster));
  if (outcome.skipped.length > 0) {
    sections.push(
      `Skipped\n${formatTable(
        ['NAMESPACE', 'WORKLOAD', 'REASON'],
        outcome.skipped.map((skip) => [skip.namespace, skip.workload, skip.reason]),
      )}`,
    );
  }
  if (outcome.clusters.length === 0 && outcome.namespaces !== 'all')
    sections.push(
      'No consensus cluster here. Search every namespace with -A (control-plane etcd lives in kube-system).\n',
    );
  if (outcome.inventory !== undefined) {
    const { path, entries } = outcome.inventory;
    const lines = entries.map((entry) => `  ${entry.action.padEnd(8)} ${entry.name}`);
    const first = entries[0]?.name;
    sections.push(
      entries.length === 0
        ? `Inventory ${path}: nothing written\n`
        : `Inventory ${path}: ${count(entries.length, 'entry', 'entries')} written\n${lines.join('\n')}\nUse them with: quorumctl status --cluster ${first ?? 'NAME'}\n`,
    );
  } else if (outcome.clusters.length > 0) {
    sections.push('Add them to the inventory with --write.\n');
  }
  return sections.join('\n');
}

function renderCluster(cluster: DiscoveredCluster): string {
  const header = [
    `${cluster.name}  ${cluster.kind}  ${cluster.source}  ${cluster.workload}  reach: ${cluster.reach}  container: ${cluster.container}`,
    `  TLS: ${describeTls(cluster)}`,
    `  labels: ${
      Object.entries(cluster.labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(',') || '-'
    }`,
  ];
  const members = formatTable(
    ['MEMBER', 'ENDPOINT', 'NODE', 'RUNNING'],
    cluster.members.map((member) => [
      member.name,
      member.endpoint,
      member.node ?? '-',
      member.running ? 'yes' : 'no',
    ]),
  )
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
  const notes = cluster.notes.map((note) => `  note: ${note}`);
  return `${[...header, members.trimEnd(), ...notes].join('\n')}\n`;
}

function describeTls(cluster: DiscoveredCluster): string {
  const tls = cluster.tls;
  if (tls === undefined) return 'none seen';
  const parts = [
    tls.secret !== undefined ? `Secret ${tls.secret}` : undefined,
    tls.caFile !== undefined ? `ca ${tls.caFile}` : undefined,
    tls.certFile !== undefined ? `cert ${tls.certFile}` : undefined,
    tls.keyFile !== undefined ? `key ${tls.keyFile}` : undefined,
    tls.clientCertAuth ? 'client certificates required' : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length === 0 ? 'on' : parts.join(', ');
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
