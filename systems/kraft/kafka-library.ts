/** Loads the parts of @platformatic/kafka the KRaft adapter uses: API codecs and Reader/Writer. */
import type * as Kafka from '@platformatic/kafka';

export interface KafkaLibrary {
  Reader: typeof Kafka.Reader;
  Writer: typeof Kafka.Writer;
  ResponseError: typeof Kafka.ResponseError;
  /** Kafka's error names by code (`6` -> `NOT_LEADER_OR_FOLLOWER`). */
  errorNames: Readonly<Record<number, string>>;
  apiVersions: readonly [
    typeof Kafka.apiVersionsV0,
    typeof Kafka.apiVersionsV1,
    typeof Kafka.apiVersionsV2,
    typeof Kafka.apiVersionsV3,
    typeof Kafka.apiVersionsV4,
  ];
  describeCluster: readonly [typeof Kafka.describeClusterV0, typeof Kafka.describeClusterV1];
  describeQuorum: readonly [
    typeof Kafka.describeQuorumV0,
    typeof Kafka.describeQuorumV1,
    typeof Kafka.describeQuorumV2,
  ];
}

/** Module files inside the package's dist/, relative to its entry point. */
const DEEP_MODULES = {
  reader: './protocol/reader.js',
  writer: './protocol/writer.js',
  errors: './errors.js',
  protocolErrors: './protocol/errors.js',
  apiVersions: [0, 1, 2, 3, 4].map((v) => `./apis/metadata/api-versions-v${v}.js`),
  describeCluster: [0, 1].map((v) => `./apis/admin/describe-cluster-v${v}.js`),
  describeQuorum: [0, 1, 2].map((v) => `./apis/admin/describe-quorum-v${v}.js`),
} as const;

/**
 * The package's entry point loads every client, registry and codec (330-400 ms measured on
 * these machines); the dozen files a status needs load in about 50 ms. They are imported by
 * file URL (the package's `exports` map lists only the entry point), and if a release moves
 * them we fall back to the entry point: slower, never broken. A unit test checks that both
 * paths yield the very same functions.
 */
export async function loadKafkaLibrary(
  mode: 'files' | 'entry-point' = 'files',
): Promise<KafkaLibrary> {
  if (mode === 'files') {
    try {
      return await loadKafkaFiles();
    } catch {
      // Layout changed in a newer release: use the public entry point.
    }
  }
  const entry = await import('@platformatic/kafka');
  return {
    Reader: entry.Reader,
    Writer: entry.Writer,
    ResponseError: entry.ResponseError,
    errorNames: entry.protocolErrorsCodesById,
    apiVersions: [
      entry.apiVersionsV0,
      entry.apiVersionsV1,
      entry.apiVersionsV2,
      entry.apiVersionsV3,
      entry.apiVersionsV4,
    ],
    describeCluster: [entry.describeClusterV0, entry.describeClusterV1],
    describeQuorum: [entry.describeQuorumV0, entry.describeQuorumV1, entry.describeQuorumV2],
  };
}

/** The fast path alone; throws if the package layout changed (a unit test watches this). */
export async function loadKafkaFiles(): Promise<KafkaLibrary> {
  const base = import.meta.resolve('@platformatic/kafka');
  const load = (path: string): Promise<unknown> => import(new URL(path, base).href);
  const [reader, writer, errors, protocolErrors, apiVersions, describeCluster, describeQuorum] =
    await Promise.all([
      load(DEEP_MODULES.reader) as Promise<{ Reader: typeof Kafka.Reader }>,
      load(DEEP_MODULES.writer) as Promise<{ Writer: typeof Kafka.Writer }>,
      load(DEEP_MODULES.errors) as Promise<{ ResponseError: typeof Kafka.ResponseError }>,
      load(DEEP_MODULES.protocolErrors) as Promise<{
        protocolErrorsCodesById: Record<number, string>;
      }>,
      Promise.all(DEEP_MODULES.apiVersions.map(load)) as Promise<unknown> as Promise<
        KafkaLibrary['apiVersions']
      >,
      Promise.all(DEEP_MODULES.describeCluster.map(load)) as Promise<unknown> as Promise<
        KafkaLibrary['describeCluster']
      >,
      Promise.all(DEEP_MODULES.describeQuorum.map(load)) as Promise<unknown> as Promise<
        KafkaLibrary['describeQuorum']
      >,
    ]);
  const library: KafkaLibrary = {
    Reader: reader.Reader,
    Writer: writer.Writer,
    ResponseError: errors.ResponseError,
    errorNames: protocolErrors.protocolErrorsCodesById,
    apiVersions,
    describeCluster,
    describeQuorum,
  };
  // A renamed export would otherwise surface later as "x is not a function".
  const codecs = [...apiVersions, ...describeCluster, ...describeQuorum];
  if (
    typeof library.Reader !== 'function' ||
    typeof library.Writer !== 'function' ||
    typeof library.ResponseError !== 'function' ||
    typeof library.errorNames !== 'object' ||
    codecs.some(
      (codec) =>
        typeof codec.createRequest !== 'function' || typeof codec.parseResponse !== 'function',
    )
  ) {
    throw new Error('unexpected @platformatic/kafka layout');
  }
  return library;
}

/** Loaded once, when the KRaft adapter is first imported (the registry imports it lazily). */
export const kafka: KafkaLibrary = await loadKafkaLibrary();
