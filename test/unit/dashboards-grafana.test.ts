/** The Grafana dashboards generated from the catalog: schema, templating, catalog-only queries, layout. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricDefinition } from '../../core/metrics/catalog-types.js';
import { METRIC_CATALOG } from '../../core/metrics/catalog.js';
import {
  GRAFANA_OVERVIEW_FILE_NAME,
  GRAFANA_SCHEMA_VERSION,
  OVERVIEW_PANELS,
  PROPOSALS_PANEL_TITLE,
  dashboardPanels,
  generateGrafanaDashboards,
  kindsInCatalog,
  type GrafanaDashboardFile,
} from '../../core/metrics/grafana.js';
import {
  catalogMetricFor,
  metricNamesInPromQL,
  unknownMetricsInPromQL,
} from '../../core/metrics/prometheus-rules.js';

const files = generateGrafanaDashboards(METRIC_CATALOG);

function queries(file: GrafanaDashboardFile): string[] {
  return dashboardPanels(file.dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => target.expr),
  );
}

describe('metricNamesInPromQL', () => {
  it('reads metric names and skips functions, keywords, label lists, matchers and variables', () => {
    assert.deepEqual(
      metricNamesInPromQL(
        'histogram_quantile(0.99, sum by (cluster, member, le) (rate(quorum_wal_fsync_duration_seconds_bucket{kind="etcd", cluster=~"$cluster"}[$__rate_interval]))) > 0.01',
      ),
      ['quorum_wal_fsync_duration_seconds_bucket'],
    );
    assert.deepEqual(
      metricNamesInPromQL(
        'max by (cluster, kind) (quorum_margin) == 0 and on (cluster, kind) max(quorum_voters) without (instance) > 1 unless ignoring(job) group_left() absent(up_x offset 5m)',
      ),
      ['quorum_margin', 'quorum_voters', 'up_x'],
    );
    assert.deepEqual(
      metricNamesInPromQL('increase(a_total[15m:1m]) >= 4 * 3600 + 1e3 or bool b{x="a{b}"}'),
      ['a_total', 'b'],
    );
    assert.deepEqual(metricNamesInPromQL('sum(rate(x[5m])) / ignoring (le) sum(y) # z'), [
      'x',
      'y',
    ]);
  });

  it('maps histogram series to their catalog metric and reports names outside the catalog', () => {
    assert.equal(
      catalogMetricFor('quorum_wal_fsync_duration_seconds_bucket', METRIC_CATALOG)?.name,
      'quorum_wal_fsync_duration_seconds',
    );
    // _bucket of a gauge is not a series the catalog defines.
    assert.equal(catalogMetricFor('quorum_margin_bucket', METRIC_CATALOG), undefined);
    assert.deepEqual(
      unknownMetricsInPromQL(
        'rate(etcd_server_proposals_failed_total[5m]) + quorum_up',
        METRIC_CATALOG,
      ),
      ['etcd_server_proposals_failed_total'],
    );
  });
});

describe('generated Grafana dashboards', () => {
  it('are the overview plus one per kind the catalog has sources for', () => {
    assert.deepEqual(
      files.map((file) => file.fileName),
      [
        GRAFANA_OVERVIEW_FILE_NAME,
        ...kindsInCatalog(METRIC_CATALOG).map((kind) => `quorumctl-${kind}.json`),
      ],
    );
    for (const kind of ['etcd', 'zookeeper', 'kraft', 'nats']) {
      assert.ok(
        files.some((file) => file.fileName === `quorumctl-${kind}.json`),
        kind,
      );
    }
    assert.equal(new Set(files.map((file) => file.dashboard.uid)).size, files.length);
  });

  it(`declare schemaVersion ${GRAFANA_SCHEMA_VERSION} (Grafana 12 classic model)`, () => {
    for (const file of files) assert.equal(file.dashboard.schemaVersion, 41, file.fileName);
  });

  it('use catalog metrics only, in every panel query and template variable', () => {
    let checked = 0;
    for (const file of files) {
      for (const expr of queries(file)) {
        const names = metricNamesInPromQL(expr);
        assert.ok(names.length > 0, `${file.fileName}: no metric in ${expr}`);
        assert.deepEqual(
          unknownMetricsInPromQL(expr, METRIC_CATALOG),
          [],
          `${file.fileName}: ${expr}`,
        );
        checked += 1;
      }
      for (const variable of file.dashboard.templating.list) {
        if (typeof variable.definition !== 'string') continue;
        const selector = /^label_values\((.*),\s*\w+\)$/.exec(variable.definition)?.[1] ?? '';
        assert.deepEqual(unknownMetricsInPromQL(selector, METRIC_CATALOG), [], variable.definition);
        assert.ok(metricNamesInPromQL(selector).length === 1, variable.definition);
      }
    }
    assert.ok(checked > 50, `only ${checked} queries checked`);
  });

  it('are templated on cluster (multi-select) and a Prometheus data source; every query filters by it', () => {
    for (const file of files) {
      const variables = file.dashboard.templating.list;
      const cluster = variables.find((variable) => variable.name === 'cluster');
      assert.ok(cluster, `${file.fileName} has no cluster variable`);
      assert.equal(cluster.multi, true);
      assert.equal(cluster.includeAll, true);
      assert.equal(
        variables.find((variable) => variable.name === 'datasource')?.query,
        'prometheus',
      );
      for (const expr of queries(file)) {
        assert.match(expr, /cluster=~"\$cluster"/, `${file.fileName}: ${expr}`);
      }
      for (const panel of dashboardPanels(file.dashboard).filter((p) => p.type !== 'row')) {
        assert.equal(panel.datasource?.uid, '${datasource}', panel.title);
      }
    }
  });

  it('keep each per-kind dashboard to its kind', () => {
    for (const file of files.filter((f) => f.fileName !== GRAFANA_OVERVIEW_FILE_NAME)) {
      const kind = /^quorumctl-(.+)\.json$/.exec(file.fileName)?.[1];
      for (const expr of queries(file)) assert.ok(expr.includes(`kind="${kind}"`), expr);
    }
  });

  it('show every catalog metric a kind provides on that kind’s dashboard', () => {
    for (const kind of kindsInCatalog(METRIC_CATALOG)) {
      const file = files.find((f) => f.fileName === `quorumctl-${kind}.json`);
      assert.ok(file);
      const used = new Set(
        queries(file).flatMap((expr) =>
          metricNamesInPromQL(expr).map((name) => catalogMetricFor(name, METRIC_CATALOG)?.name),
        ),
      );
      const provided = METRIC_CATALOG.filter((metric) => kind in metric.sources);
      assert.deepEqual(
        provided.filter((metric) => !used.has(metric.name)).map((metric) => metric.name),
        [],
        kind,
      );
    }
  });

  it('plot proposals in the Raft proposals panel (the etcd mixin plots leader elections there)', () => {
    const etcd = files.find((file) => file.fileName === 'quorumctl-etcd.json');
    assert.ok(etcd);
    const panel = dashboardPanels(etcd.dashboard).find(
      (p) => p.type !== 'row' && p.title === PROPOSALS_PANEL_TITLE,
    );
    assert.ok(panel, 'no Raft proposals panel on the etcd dashboard');
    const names = (panel.targets ?? []).flatMap((target) => metricNamesInPromQL(target.expr));
    assert.deepEqual(names.sort(), [
      'quorum_proposals_applied_total',
      'quorum_proposals_committed_total',
      'quorum_proposals_failed_total',
      'quorum_proposals_pending',
    ]);
    assert.ok(names.every((name) => !name.includes('leader')));
  });

  it('draw the 10 ms fsync guidance on the fsync panels', () => {
    const etcd = files.find((file) => file.fileName === 'quorumctl-etcd.json');
    const fsync = dashboardPanels(etcd!.dashboard).find((panel) =>
      (panel.targets ?? []).some((t) => t.expr.includes('quorum_wal_fsync_duration_seconds')),
    );
    const steps = (fsync?.fieldConfig?.defaults.thresholds as { steps: { value: number | null }[] })
      .steps;
    assert.deepEqual(
      steps.map((step) => step.value),
      [null, 0.01],
    );
  });

  it('put every overview panel on the overview (none left out for a metric the catalog lacks)', () => {
    const overview = files.find((file) => file.fileName === GRAFANA_OVERVIEW_FILE_NAME)!;
    const titles = dashboardPanels(overview.dashboard)
      .filter((panel) => panel.type !== 'row')
      .map((panel) => panel.title);
    assert.deepEqual(
      titles,
      OVERVIEW_PANELS.map((spec) => spec.title),
    );
    for (const expr of queries(overview)) assert.match(expr, /by \(cluster, kind\)/, expr);
  });

  it('lay panels out on the 24-column grid without overlaps, with unique ids', () => {
    for (const file of files) {
      const panels = file.dashboard.panels;
      assert.equal(new Set(panels.map((panel) => panel.id)).size, panels.length);
      for (const [index, a] of panels.entries()) {
        assert.ok(a.gridPos.x + a.gridPos.w <= 24, `${file.fileName}: ${a.title}`);
        for (const b of panels.slice(index + 1)) {
          const overlap =
            a.gridPos.x < b.gridPos.x + b.gridPos.w &&
            b.gridPos.x < a.gridPos.x + a.gridPos.w &&
            a.gridPos.y < b.gridPos.y + b.gridPos.h &&
            b.gridPos.y < a.gridPos.y + a.gridPos.h;
          assert.ok(!overlap, `${file.fileName}: "${a.title}" overlaps "${b.title}"`);
        }
      }
    }
  });

  it('work from any catalog: a small test catalog gets a dashboard per kind it names', () => {
    const catalog: MetricDefinition[] = [
      {
        name: 'quorum_up',
        type: 'gauge',
        help: 'up',
        labels: ['cluster', 'kind'],
        sources: { etcd: 'x' },
      },
      {
        name: 'quorum_wal_fsync_duration_seconds',
        type: 'histogram',
        help: 'fsync',
        labels: ['cluster', 'member', 'kind'],
        buckets: [0.001, 0.01],
        sources: { consul: 'y' },
      },
      {
        name: 'quorum_leader_changes_total',
        type: 'counter',
        help: 'changes',
        labels: ['cluster', 'kind'],
        sources: { etcd: 'z', consul: 'z' },
      },
    ];
    const small = generateGrafanaDashboards(catalog);
    assert.deepEqual(
      small.map((file) => file.fileName),
      [GRAFANA_OVERVIEW_FILE_NAME, 'quorumctl-etcd.json', 'quorumctl-consul.json'],
    );
    const consul = queries(small[2]!);
    assert.ok(consul.some((expr) => expr.includes('quorum_wal_fsync_duration_seconds_bucket')));
    assert.ok(consul.some((expr) => expr.includes('increase(quorum_leader_changes_total')));
    assert.ok(consul.every((expr) => !expr.includes('quorum_up{')));
    // The overview keeps only panels whose metrics this catalog has.
    const overviewTitles = dashboardPanels(small[0]!.dashboard)
      .filter((panel) => panel.type !== 'row')
      .map((panel) => panel.title);
    assert.ok(overviewTitles.includes('Cluster answers'));
    assert.ok(!overviewTitles.includes('Quorum margin'));
  });
});
