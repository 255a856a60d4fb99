/**
 * The agent's prom-client registry, built from the metric catalog: every catalog metric is
 * registered once and collects its series from the latest poll when scraped, next to
 * prom-client's process metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRIC_CATALOG } from '../core/metrics/catalog.js';
import type { MetricDefinition } from '../core/metrics/catalog-types.js';
import type { HistogramSeries, Series, SeriesSet } from '../core/metrics/mapping.js';

/** A SeriesSet indexed by metric name, so each metric's collect() finds its own at once. */
export interface IndexedSeries {
  values: ReadonlyMap<string, readonly Series[]>;
  histograms: ReadonlyMap<string, readonly HistogramSeries[]>;
}

export function indexSeries(set: SeriesSet): IndexedSeries {
  const values = new Map<string, Series[]>();
  for (const series of set.values) {
    const list = values.get(series.name);
    if (list === undefined) values.set(series.name, [series]);
    else list.push(series);
  }
  const histograms = new Map<string, HistogramSeries[]>();
  for (const series of set.histograms) {
    const list = histograms.get(series.name);
    if (list === undefined) histograms.set(series.name, [series]);
    else list.push(series);
  }
  return { values, histograms };
}

export interface CatalogRegistryOptions {
  /** prom-client's process_* and nodejs_* metrics (default on). */
  processMetrics?: boolean;
}

export function createCatalogRegistry(
  read: () => IndexedSeries,
  options: CatalogRegistryOptions = {},
): Registry {
  const registry = new Registry();
  for (const definition of METRIC_CATALOG) registerDefinition(registry, definition, read);
  // prom-client samples event-loop delay with a 10 ms timer by default: 100 wake-ups a
  // second is most of an idle agent's CPU time (measured: 0.5% of a core). 100 ms is plenty.
  if (options.processMetrics !== false)
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return registry;
}

function registerDefinition(
  registry: Registry,
  definition: MetricDefinition,
  read: () => IndexedSeries,
): void {
  const config = {
    name: definition.name,
    help: definition.help,
    labelNames: [...definition.labels],
    registers: [registry],
  };
  const seriesOf = () => read().values.get(definition.name) ?? [];
  switch (definition.type) {
    case 'gauge':
      new Gauge({
        ...config,
        collect() {
          this.reset();
          for (const series of seriesOf()) this.set(series.labels, series.value);
        },
      });
      return;
    case 'counter':
      // The counter's value is the observed total (the agent's own count, or the member's
      // counter passed through): set on every scrape, never incremented here.
      new Counter({
        ...config,
        collect() {
          this.reset();
          for (const series of seriesOf()) this.inc(series.labels, series.value);
        },
      });
      return;
    case 'histogram':
      new SourceHistogram(
        config,
        definition.buckets ?? [],
        () => read().histograms.get(definition.name) ?? [],
      );
      return;
  }
}

interface HistogramValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * A histogram whose buckets are the source's own cumulative counts. prom-client's Histogram
 * only counts observations it makes itself, so its output methods are replaced by one
 * that prints the scraped buckets as they are (resets included: Prometheus' rate() copes).
 */
class SourceHistogram extends Histogram {
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(
    config: { name: string; help: string; labelNames: string[]; registers: Registry[] },
    buckets: readonly number[],
    private readonly readSeries: () => readonly HistogramSeries[],
  ) {
    super({ ...config, buckets: [...buckets] });
    this.metricName = config.name;
    this.metricHelp = config.help;
  }

  override get(): ReturnType<Histogram['get']> {
    // prom-client's typings declare `type` as a TypeScript enum its runtime never exports;
    // the registry reads the string, as its own metrics carry it.
    return Promise.resolve(this.snapshot() as unknown as Awaited<ReturnType<Histogram['get']>>);
  }

  /** What the registry prints in the text format (it prefers this over get()). */
  getForPromString(): ReturnType<Histogram['get']> {
    return this.get();
  }

  private snapshot() {
    const values: HistogramValue[] = [];
    for (const { labels, histogram } of this.readSeries()) {
      for (const bucket of histogram.buckets) {
        values.push({
          labels: { ...labels, le: bucket.le === Infinity ? '+Inf' : bucket.le },
          value: bucket.count,
          metricName: `${this.metricName}_bucket`,
        });
      }
      values.push({ labels, value: histogram.sum, metricName: `${this.metricName}_sum` });
      values.push({ labels, value: histogram.count, metricName: `${this.metricName}_count` });
    }
    return {
      name: this.metricName,
      help: this.metricHelp,
      type: 'histogram',
      values,
      aggregator: 'sum',
    };
  }
}
