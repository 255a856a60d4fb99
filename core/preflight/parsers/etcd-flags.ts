/**
 * etcd command-line flags as operators write them: a shell line (quotes, backslash
 * continuations), a systemd unit (ExecStart, Environment), one flag per line, or ETCD_* variables.
 */
import type { SourceLocation } from '../../findings.js';
import type { ConfigFormat, ConfigSetting, PlannedConfig } from '../facts.js';
import { baseName, configInvalid, LineIndex, parseGoBool, setting } from './common.js';

/** Flags Go's flag package treats as booleans: they never take the next word as their value. */
export const ETCD_BOOLEAN_FLAGS: ReadonlySet<string> = new Set([
  'auto-tls',
  'peer-auto-tls',
  'client-cert-auth',
  'peer-client-cert-auth',
  'strict-reconfig-check',
  'enable-pprof',
  'enable-v2',
  'force-new-cluster',
  'debug',
  'pre-vote',
  'socket-reuse-port',
  'socket-reuse-address',
  'enable-grpc-gateway',
  'enable-log-rotation',
  'unsafe-no-fsync',
  'experimental-initial-corrupt-check',
  'experimental-enable-distributed-tracing',
  'experimental-enable-lease-checkpoint',
  'experimental-enable-lease-checkpoint-persist',
  'experimental-memory-mlock',
  'experimental-compact-hash-check-enabled',
  'experimental-stop-grpc-service-on-defrag',
  'version',
  'help',
]);

/** Flags whose value etcd parses as a whole number; a typo there stops etcd from starting. */
const ETCD_NUMBER_FLAGS: ReadonlySet<string> = new Set([
  'heartbeat-interval',
  'election-timeout',
  'snapshot-count',
  'max-snapshots',
  'max-wals',
  'max-request-bytes',
  'quota-backend-bytes',
  'max-txn-ops',
]);

/** Rejects values etcd itself would refuse at start-up, where the operator wrote them. */
export function validateEtcdSetting(format: ConfigFormat, entry: ConfigSetting): void {
  const { key, value, location } = entry;
  if (ETCD_NUMBER_FLAGS.has(key) && !/^-?\d+$/.test(value.trim())) {
    throw configInvalid(
      format,
      location,
      `${key} takes a whole number, got ${JSON.stringify(value)}`,
      `write ${key} as digits only (milliseconds for timeouts, bytes for sizes)`,
    );
  }
  if (ETCD_BOOLEAN_FLAGS.has(key) && parseGoBool(value) === undefined) {
    throw configInvalid(
      format,
      location,
      `${key} is a boolean, got ${JSON.stringify(value)}`,
      `write ${key}=true or ${key}=false`,
    );
  }
}

export interface Token {
  value: string;
  /** Offset of the token's first character in the text. */
  offset: number;
}

/**
 * Splits text into logical lines of words the way sh (and systemd) would: quotes group,
 * a backslash before a newline continues the line, `#` at a word start comments to the end.
 */
export function shellLines(
  text: string,
  fail: (offset: number, problem: string) => never,
): Token[][] {
  const lines: Token[][] = [];
  let tokens: Token[] = [];
  let current: string | undefined;
  let start = 0;
  const endToken = () => {
    if (current !== undefined) tokens.push({ value: current, offset: start });
    current = undefined;
  };
  const endLine = () => {
    endToken();
    if (tokens.length > 0) lines.push(tokens);
    tokens = [];
  };
  const append = (chars: string, at: number) => {
    if (current === undefined) {
      current = '';
      start = at;
    }
    current += chars;
  };
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === '\\') {
      const next = text[index + 1];
      if (next === '\n') index += 2;
      else if (next === '\r' && text[index + 2] === '\n') index += 3;
      else if (next === undefined) index += 1;
      else {
        append(next, index);
        index += 2;
      }
    } else if (char === ' ' || char === '\t' || char === '\r') {
      endToken();
      index += 1;
    } else if (char === '\n' || char === ';' || char === '&' || char === '|') {
      endLine();
      index += 1;
    } else if (char === '#' && current === undefined) {
      while (index < text.length && text[index] !== '\n') index += 1;
    } else if (char === "'") {
      const close = text.indexOf("'", index + 1);
      if (close < 0) fail(index, 'this single quote is never closed');
      append(text.slice(index + 1, close), index);
      index = close + 1;
    } else if (char === '"') {
      const quoteAt = index;
      let value = '';
      index += 1;
      for (;;) {
        const inner = text[index];
        if (inner === undefined) return fail(quoteAt, 'this double quote is never closed');
        if (inner === '"') break;
        if (inner === '\\' && ['"', '\\', '$', '`', '\n'].includes(text[index + 1] ?? '')) {
          if (text[index + 1] !== '\n') value += text[index + 1] ?? '';
          index += 2;
        } else {
          value += inner;
          index += 1;
        }
      }
      append(value, quoteAt);
      index += 1;
    } else {
      append(char, index);
      index += 1;
    }
  }
  endLine();
  return lines;
}

/** `ETCD_QUOTA_BACKEND_BYTES` is the environment spelling of `--quota-backend-bytes`. */
function flagOfEnvironmentName(name: string): string {
  return name.slice('ETCD_'.length).toLowerCase().replace(/_/g, '-');
}

/** Settings from an etcd argument vector (after the binary): `--flag=value` or `--flag value`. */
export function etcdSettingsFromArguments(
  args: readonly { value: string; location: SourceLocation }[],
  format: ConfigFormat,
): ConfigSetting[] {
  const settings: ConfigSetting[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === undefined) continue;
    const { value: word, location } = arg;
    if (word.startsWith('$')) continue; // "$@" or $ETCD_OPTS: expanded only at run time
    if (!word.startsWith('-') || word === '-' || word === '--') {
      throw configInvalid(
        format,
        location,
        `etcd takes no arguments, only flags, got ${JSON.stringify(word)}`,
        'write every setting as --flag=value (etcd stops reading flags at the first other word)',
      );
    }
    const body = word.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const name = equals < 0 ? body : body.slice(0, equals);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      throw configInvalid(format, location, `${JSON.stringify(word)} is not a flag name`);
    }
    let value: string;
    if (equals >= 0) value = body.slice(equals + 1);
    else if (ETCD_BOOLEAN_FLAGS.has(name)) {
      const next = args[index + 1]?.value;
      if (next !== undefined && parseGoBool(next) !== undefined) {
        throw configInvalid(
          format,
          location,
          `--${name} is a boolean flag: etcd does not read "${next}" as its value`,
          `write --${name}=${next}`,
        );
      }
      value = 'true';
    } else {
      const next = args[index + 1];
      if (next !== undefined && !next.value.startsWith('-')) {
        value = next.value;
        index += 1;
      } else value = 'true'; // a boolean flag we do not know by name
    }
    const entry = setting(name, value, location);
    validateEtcdSetting(format, entry);
    settings.push(entry);
  }
  return settings;
}

/**
 * Settings from shell or systemd text. `locate` turns an offset in `text` into a location
 * (a manifest maps the script inside a YAML string back to the file).
 */
export function etcdSettingsFromScript(
  text: string,
  format: ConfigFormat,
  locate: (offset: number) => SourceLocation,
): ConfigSetting[] {
  const fail = (offset: number, problem: string): never => {
    throw configInvalid(format, locate(offset), problem);
  };
  const settings: ConfigSetting[] = [];
  for (const line of shellLines(text, fail)) {
    let words = line;
    const first = words[0]?.value ?? '';
    if (/^\[.*\]$/.test(first)) continue; // a systemd [Section]
    if (first === 'export' || first === 'exec' || first === 'env') words = words.slice(1);
    const head = words[0];
    if (head === undefined) continue;
    const systemd = /^([A-Za-z]+)=(.*)$/s.exec(head.value);
    if (systemd?.[1] === 'ExecStart') {
      // Prefixes such as "-" or "@" change how systemd runs the command, not what it runs.
      const command = (systemd[2] ?? '').replace(/^[-@:+!]+/, '');
      words = [{ value: command, offset: head.offset }, ...words.slice(1)].filter(
        (word) => word.value !== '',
      );
    } else if (systemd?.[1] === 'Environment') {
      words = [{ value: systemd[2] ?? '', offset: head.offset }, ...words.slice(1)];
    } else if (systemd !== null && !/^[A-Z0-9_]+$/.test(systemd[1] ?? '')) {
      continue; // another systemd setting (Description=, Restart=, LimitNOFILE=)
    }
    // Leading NAME=value words set the environment; ETCD_* ones are etcd settings.
    let index = 0;
    for (; index < words.length; index += 1) {
      const word = words[index];
      const assignment =
        word === undefined ? null : /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word.value);
      if (word === undefined || assignment === null) break;
      const name = assignment[1] ?? '';
      if (name.startsWith('ETCD_')) {
        const entry = setting(
          flagOfEnvironmentName(name),
          assignment[2] ?? '',
          locate(word.offset),
        );
        validateEtcdSetting(format, entry);
        settings.push(entry);
      }
    }
    const rest = words.slice(index);
    if (rest.length === 0) continue;
    const binary = rest.findIndex((word) => baseName(word.value) === 'etcd');
    let args: Token[];
    if (binary >= 0) args = rest.slice(binary + 1);
    else if (rest[0]?.value.startsWith('-') === true) args = rest;
    else continue; // another command of the script (mkdir, chown, ...)
    settings.push(
      ...etcdSettingsFromArguments(
        args.map((word) => ({ value: word.value, location: locate(word.offset) })),
        format,
      ),
    );
  }
  return settings;
}

/** Parses an etcd flags file: one configuration, named by its --name when given. */
export function parseEtcdFlags(text: string, file: string): PlannedConfig[] {
  const index = new LineIndex(text);
  const settings = etcdSettingsFromScript(text, 'etcd-flags', (offset) =>
    index.location(file, offset),
  );
  if (settings.length === 0) {
    throw configInvalid(
      'etcd-flags',
      { file, line: 1, column: 1 },
      'no etcd flags found (no --flag, no ETCD_* variable, no etcd command line)',
    );
  }
  const name = [...settings].reverse().find((entry) => entry.key === 'name')?.value;
  return [
    {
      kind: 'etcd',
      format: 'etcd-flags',
      file,
      ...(name !== undefined && { member: name }),
      settings,
    },
  ];
}
