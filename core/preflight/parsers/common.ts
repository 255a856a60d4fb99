/** What every configuration parser shares: positions in the text and the one error they throw. */
import { UsageError } from '../../errors.js';
import type { SourceLocation } from '../../findings.js';
import type { ConfigFormat, ConfigSetting } from '../facts.js';

/** Maps string offsets to 1-based line and column (columns count UTF-16 units, as editors do). */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let offset = 0; offset < text.length; offset += 1) {
      if (text[offset] === '\n') this.lineStarts.push(offset + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (this.lineStarts[low] ?? 0) + 1 };
  }

  location(file: string, offset: number): SourceLocation {
    return { file, ...this.position(offset) };
  }
}

/** How each format is usually written, for the "what to do" part of an error. */
const FORMAT_HINTS: Record<ConfigFormat, string> = {
  'etcd-flags':
    'etcd flags are written --flag=value or --flag value (a shell line, a systemd ExecStart or one flag per line)',
  'etcd-yaml': "etcd's config file is a YAML mapping of flag names to values (name: infra0)",
  kubernetes: 'a Pod or StatefulSet manifest whose etcd container gives its flags in command/args',
  'zoo.cfg': 'zoo.cfg holds key=value lines (tickTime=2000, server.1=zk1:2888:3888)',
  'server.properties': 'server.properties holds key=value lines (process.roles=controller)',
  'nats-conf': 'nats-server config holds key: value pairs and blocks (jetstream { ... })',
};

/** The one error a parser throws: file:line:col, what is wrong, and what to do about it. */
export function configInvalid(
  format: ConfigFormat,
  location: SourceLocation,
  problem: string,
  fix?: string,
): UsageError {
  const { file, line, column } = location;
  return new UsageError('PREFLIGHT_CONFIG_INVALID', `${file}:${line}:${column}: ${problem}`, {
    actions: [
      fix ?? `fix ${file} at line ${line}: ${FORMAT_HINTS[format]}`,
      `if this is not a ${format} file, name its format with --format`,
    ],
    details: { file, line, column, format },
  });
}

export function setting(key: string, value: string, location: SourceLocation): ConfigSetting {
  return { key, value, location };
}

/** Whole decimal numbers only: configuration values are never fractional where we check them. */
export function isWholeNumber(value: string): boolean {
  return /^\d+$/.test(value.trim());
}

/** Go's strconv.ParseBool, which etcd's flags and YAML both go through. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** The last path segment, for both / and \ separators (file names in messages and detection). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** The text of a parsed YAML scalar (strings, numbers, booleans; YAML 1.1 dates as ISO). */
export function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
