/** Host probes for `preflight --host` and the agent: one import for every probe. */
export {
  gatherHostFacts,
  type FsyncProbeChoice,
  type GatherHostFactsOptions,
  type GatheredHostFacts,
} from './facts.js';
export {
  DEFAULT_FSYNC_BUDGET,
  ETCD_BLOCK_SIZE_BYTES,
  resolveFsyncBudget,
  runFsyncProbe,
  type FsyncBudget,
  type FsyncMeasurement,
  type FsyncProbeOptions,
} from './fsync-probe.js';
export {
  FioOutputError,
  fioArguments,
  isFioInstalled,
  parseFioSyncLatency,
  runFioProbe,
  type FioProbeOptions,
  type FioSyncResult,
} from './fio.js';
export {
  blockDeviceOf,
  mountOf,
  parseMountinfo,
  rotationalOf,
  splitDeviceNumber,
  type BlockDeviceFacts,
  type DeviceNumber,
  type MountEntry,
  type RotationalResult,
} from './block-device.js';
export {
  filesystemSpace,
  filesystemTypeName,
  isMemoryBacked,
  nearestExistingDirectory,
  type ProbedDirectory,
  type SpaceFacts,
} from './filesystem.js';
export { memoryFactsOf, parseMeminfo, readMemoryFacts, type MemoryFacts } from './meminfo.js';
export {
  measurePeerRtt,
  measurePeerRtts,
  parsePeer,
  type PeerAddress,
  type PeerRttOptions,
} from './peer-rtt.js';
export { median, percentile, summarizeLatencies, type LatencySummary } from './percentiles.js';
