/**
 * nats-server's configuration format (conf/lex.go): `key: value`, `key = value`, `key value`,
 * nested `{ }` blocks, `[ ]` arrays, `#` and `//` comments, quoted strings, size suffixes,
 * `$variables` and `include`, flattened to dotted lower-case keys (`jetstream.sync_interval`).
 */
import type { SourceLocation } from '../../findings.js';
import type { ConfigSetting, PlannedConfig } from '../facts.js';
import { configInvalid, LineIndex, setting } from './common.js';

/** Reads an included file; `undefined` when it cannot be read. Paths are relative to `fromFile`. */
export type IncludeResolver = (
  path: string,
  fromFile: string,
) => { file: string; text: string } | undefined;

type Value =
  | { type: 'scalar'; text: string; location: SourceLocation }
  | { type: 'map'; entries: Entry[]; location: SourceLocation }
  | { type: 'array'; items: Value[]; location: SourceLocation };

interface Entry {
  key: string;
  location: SourceLocation;
  value: Value;
}

const MAX_DEPTH = 64;
const MAX_INCLUDE_DEPTH = 10;
const BOOLEANS: Record<string, string> = {
  true: 'true',
  yes: 'true',
  on: 'true',
  false: 'false',
  no: 'false',
  off: 'false',
};
/** conf/parse.go: K, M, G are powers of 1000; KB, MB, GB powers of 1024. */
const SIZE_SUFFIXES: Record<string, bigint> = {
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n,
};
const INT64_MAX = 2n ** 63n - 1n;

class NatsParser {
  private offset = 0;
  private readonly index: LineIndex;
  /** Enclosing maps, innermost last: `$name` looks them up from the inside out. */
  private readonly scopes: Map<string, Value>[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly resolveInclude: IncludeResolver | undefined,
    private readonly includeDepth: number,
  ) {
    this.index = new LineIndex(text);
  }

  parseTop(): Entry[] {
    return this.parseMapBody(false, 0, this.here());
  }

  private here(at = this.offset): SourceLocation {
    return this.index.location(this.file, at);
  }

  private fail(problem: string, at = this.offset, fix?: string): never {
    throw configInvalid('nats-conf', this.here(at), problem, fix);
  }

  private peek(ahead = 0): string | undefined {
    return this.text[this.offset + ahead];
  }

  private skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.offset += 1;
  }

  private atComment(): boolean {
    return this.peek() === '#' || (this.peek() === '/' && this.peek(1) === '/');
  }

  private skipComment(): void {
    while (this.offset < this.text.length && !isNewline(this.peek())) this.offset += 1;
  }

  /** Blanks, new lines and comments, e.g. between map entries or array items. */
  private skipSpaceAndComments(): void {
    for (;;) {
      const char = this.peek();
      if (char === ' ' || char === '\t' || isNewline(char)) this.offset += 1;
      else if (this.atComment()) this.skipComment();
      else return;
    }
  }

  private parseMapBody(nested: boolean, depth: number, opened: SourceLocation): Entry[] {
    const entries: Entry[] = [];
    const scope = new Map<string, Value>();
    this.scopes.push(scope);
    try {
      for (;;) {
        this.skipSpaceAndComments();
        const char = this.peek();
        if (char === undefined) {
          if (nested) {
            throw configInvalid(
              'nats-conf',
              opened,
              'this block is never closed with }',
              'add the missing } (blocks nest: cluster { routes: [...] })',
            );
          }
          return entries;
        }
        if (char === '}') {
          if (nested) {
            this.offset += 1;
            return entries;
          }
          this.offset += 1; // the top level may be wrapped in { } as in JSON
          continue;
        }
        if (!nested && (char === '{' || char === ',' || char === ';')) {
          this.offset += 1;
          continue;
        }
        const keyAt = this.offset;
        const { key, bare } = this.parseKey();
        if (
          bare &&
          key.toLowerCase() === 'include' &&
          (this.peek() === ' ' || this.peek() === '\t')
        ) {
          for (const entry of this.parseInclude(keyAt)) {
            entries.push(entry);
            scope.set(entry.key, entry.value);
          }
        } else {
          // A key may be followed by blanks or new lines, then one optional = or :.
          while (this.peek() === ' ' || this.peek() === '\t' || isNewline(this.peek()))
            this.offset += 1;
          if (this.peek() === '=' || this.peek() === ':') {
            this.offset += 1;
            this.skipBlanks();
          }
          const value = this.parseValue(key, depth);
          const entry = { key, location: this.here(keyAt), value };
          entries.push(entry);
          scope.set(key, value);
        }
        this.endOfValue(nested ? 'map' : 'top');
      }
    } finally {
      this.scopes.pop();
    }
  }

  /** After a value: blanks, then a comment, `,`, `;`, a new line, a closing `}` or the end. */
  private endOfValue(where: 'map' | 'top' | 'array'): void {
    this.skipBlanks();
    const char = this.peek();
    if (char === undefined || isNewline(char) || this.atComment()) return;
    if (where !== 'array' && (char === ',' || char === ';')) {
      this.offset += 1;
      return;
    }
    if (where === 'array' && (char === ',' || char === ']')) return;
    if (char === '}') return;
    this.fail(
      `unexpected ${JSON.stringify(char)} after a value`,
      this.offset,
      'end each value with a new line, a comma or a semicolon; quote strings that hold blanks or start with a digit ("3secret")',
    );
  }

  private parseKey(): { key: string; bare: boolean } {
    const quote = this.peek();
    if (quote === '"' || quote === "'") {
      const start = this.offset;
      const close = this.text.indexOf(quote, start + 1);
      if (close < 0) this.fail('this quoted key is never closed', start);
      this.offset = close + 1;
      return { key: this.text.slice(start + 1, close), bare: false };
    }
    const start = this.offset;
    if (quote === '=' || quote === ':')
      this.fail(`a key is missing before ${JSON.stringify(quote)}`);
    if (quote === '[' || quote === ']' || quote === '{')
      this.fail(`a key is missing before ${JSON.stringify(quote)}`);
    while (this.offset < this.text.length) {
      const char = this.peek();
      if (char === ' ' || char === '\t' || isNewline(char) || char === '=' || char === ':') break;
      if (char === '{' || char === '[') break;
      this.offset += 1;
    }
    return { key: this.text.slice(start, this.offset), bare: true };
  }

  private parseInclude(keyAt: number): Entry[] {
    this.skipBlanks();
    let path: string;
    const quote = this.peek();
    if (quote === '"' || quote === "'") {
      const close = this.text.indexOf(quote, this.offset + 1);
      if (close < 0) this.fail('this include path is never closed');
      path = this.text.slice(this.offset + 1, close);
      this.offset = close + 1;
    } else {
      const start = this.offset;
      while (this.offset < this.text.length && !/[\s;}]/.test(this.peek() ?? '')) this.offset += 1;
      path = this.text.slice(start, this.offset);
    }
    if (path === '') this.fail('include needs a file name', keyAt);
    if (this.includeDepth >= MAX_INCLUDE_DEPTH) {
      this.fail(`includes nest deeper than ${MAX_INCLUDE_DEPTH} files (a loop?)`, keyAt);
    }
    const included = this.resolveInclude?.(path, this.file);
    if (included === undefined) {
      this.fail(
        `cannot read the included file ${JSON.stringify(path)}`,
        keyAt,
        `make ${path} readable next to ${this.file} (include paths are relative to the including file)`,
      );
    }
    return new NatsParser(
      included.text,
      included.file,
      this.resolveInclude,
      this.includeDepth + 1,
    ).parseTop();
  }

  private parseValue(key: string, depth: number): Value {
    if (depth > MAX_DEPTH) this.fail(`blocks and arrays nest deeper than ${MAX_DEPTH} levels`);
    const start = this.offset;
    const location = this.here();
    const char = this.peek();
    if (char === undefined || isNewline(char)) {
      this.fail(`${JSON.stringify(key)} has no value`, start, `write ${key}: VALUE on one line`);
    }
    if (char === '{') {
      this.offset += 1;
      return { type: 'map', entries: this.parseMapBody(true, depth + 1, location), location };
    }
    if (char === '[') return this.parseArray(depth, location);
    if (char === "'") {
      const close = this.text.indexOf("'", start + 1);
      if (close < 0) this.fail('this single-quoted string is never closed', start);
      this.offset = close + 1;
      return { type: 'scalar', text: this.text.slice(start + 1, close), location };
    }
    if (char === '"') return { type: 'scalar', text: this.parseDoubleQuoted(), location };
    if (char === '(') return { type: 'scalar', text: this.parseBlockString(), location };
    if (char === '-' || isDigit(char))
      return { type: 'scalar', text: this.parseNumber(), location };
    if (char === '.') this.fail('numbers must start with a digit, not "."');
    return this.parseBareString(location);
  }

  private parseArray(depth: number, location: SourceLocation): Value {
    this.offset += 1;
    const items: Value[] = [];
    for (;;) {
      this.skipSpaceAndComments();
      const char = this.peek();
      if (char === undefined) {
        throw configInvalid('nats-conf', location, 'this array is never closed with ]');
      }
      if (char === ']') {
        this.offset += 1;
        return { type: 'array', items, location };
      }
      if (char === ',') this.fail('unexpected "," in an array (an empty item?)');
      items.push(this.parseValue('array item', depth + 1));
      this.endOfValue('array');
      if (this.peek() === ',') this.offset += 1;
    }
  }

  private parseDoubleQuoted(): string {
    const start = this.offset;
    this.offset += 1;
    let value = '';
    for (;;) {
      const char = this.peek();
      if (char === undefined) this.fail('this double-quoted string is never closed', start);
      if (char === '"') {
        this.offset += 1;
        return value;
      }
      if (char === '\\') value += this.parseEscape();
      else {
        value += char;
        this.offset += 1;
      }
    }
  }

  /** `\t \n \r \" \\ \xHH`, the escapes conf/lex.go allows; anything else is an error there. */
  private parseEscape(): string {
    const at = this.offset;
    const next = this.peek(1);
    this.offset += 2;
    const simple: Record<string, string> = { t: '\t', n: '\n', r: '\r', '"': '"', '\\': '\\' };
    if (next !== undefined && simple[next] !== undefined) return simple[next];
    if (next === 'x') {
      const hex = this.text.slice(this.offset, this.offset + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.fail('\\x needs two hexadecimal digits', at);
      this.offset += 2;
      return String.fromCharCode(parseInt(hex, 16));
    }
    return this.fail(
      `invalid escape ${JSON.stringify(`\\${next ?? ''}`)}`,
      at,
      'only \\t, \\n, \\r, \\", \\\\ and \\xHH are escapes; use single quotes for raw text',
    );
  }

  /** `( ... )` with the closing parenthesis alone on its line. */
  private parseBlockString(): string {
    const start = this.offset;
    const body = this.offset + 1;
    let search = body;
    for (;;) {
      const close = this.text.indexOf('\n)', search - 1);
      if (close < 0) {
        this.fail('this ( block is never closed by a ) alone on a line', start);
      }
      const after = this.text[close + 2];
      if (close + 1 >= body && (after === undefined || after === '\n' || after === '\r')) {
        this.offset = close + 2;
        return this.text.slice(body, close);
      }
      search = close + 2;
    }
  }

  private parseNumber(): string {
    const start = this.offset;
    if (this.peek() === '-') this.offset += 1;
    const digitsAt = this.offset;
    while (isDigit(this.peek())) this.offset += 1;
    const digits = this.text.slice(digitsAt, this.offset);
    if (digits === '') this.fail('expected a digit after "-"', start);
    if (this.peek() === '-' && digitsAt === start && digits.length === 4)
      return this.parseDate(start);
    if (this.peek() === '.') {
      this.offset += 1;
      if (!isDigit(this.peek())) this.fail('a float needs a digit after "."', start);
      while (isDigit(this.peek())) this.offset += 1;
      if (this.peek() === '.') {
        // An address such as 127.0.0.1:4222 starts like a float.
        while (/[0-9.:-]/.test(this.peek() ?? '')) this.offset += 1;
      }
      return this.text.slice(start, this.offset);
    }
    const suffixAt = this.offset;
    if (/[kKmMgG]/.test(this.peek() ?? '')) {
      this.offset += 1;
      while (this.peek() === 'b' || this.peek() === 'B') this.offset += 1;
    }
    const suffix = this.text.slice(suffixAt, this.offset).toLowerCase();
    const number = BigInt(this.text.slice(start, suffixAt));
    if (number > INT64_MAX || number < -INT64_MAX - 1n) {
      this.fail(`${this.text.slice(start, suffixAt)} is out of range for a 64-bit integer`, start);
    }
    if (suffix === '') return number.toString();
    const factor = SIZE_SUFFIXES[suffix];
    if (factor === undefined) {
      this.fail(
        `unknown size suffix ${JSON.stringify(suffix)}`,
        suffixAt,
        'use K, KB, M, MB, G or GB',
      );
    }
    return (number * factor).toString();
  }

  /** A Zulu datetime, YYYY-MM-DDTHH:MM:SSZ, kept as written. */
  private parseDate(start: number): string {
    const candidate = this.text.slice(start, start + 20);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(candidate)) {
      this.fail('dates must be in full Zulu form, e.g. 2024-01-31T12:00:00Z', start);
    }
    this.offset = start + 20;
    return candidate;
  }

  private parseBareString(location: SourceLocation): Value {
    const start = this.offset;
    let value = '';
    let escaped = false;
    for (;;) {
      const char = this.peek();
      if (
        char === undefined ||
        isNewline(char) ||
        char === ' ' ||
        char === '\t' ||
        char === ';' ||
        char === ',' ||
        char === ']' ||
        char === '}'
      ) {
        break;
      }
      if (char === "'") {
        this.offset += 1; // conf/lex.go ends a bare string at a quote and drops the quote
        break;
      }
      if (char === '\\') {
        value += this.parseEscape();
        escaped = true;
        continue;
      }
      value += char;
      this.offset += 1;
    }
    if (!escaped) {
      const boolean = BOOLEANS[value.toLowerCase()];
      if (boolean !== undefined) return { type: 'scalar', text: boolean, location };
      if (value.startsWith('$') && !value.startsWith('$2a$')) {
        const resolved = this.lookup(value.slice(1));
        // Unresolved names come from the environment when the server starts: keep them as written.
        return resolved ?? { type: 'scalar', text: value, location };
      }
    }
    if (this.offset === start) this.fail('expected a value');
    return { type: 'scalar', text: value, location };
  }

  private lookup(name: string): Value | undefined {
    for (let index = this.scopes.length - 1; index >= 0; index -= 1) {
      const found = this.scopes[index]?.get(name);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

function isNewline(char: string | undefined): boolean {
  return char === '\n' || char === '\r';
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/** Maps become a `{}` marker plus their keys; arrays a comma-joined value plus `key.N` items. */
function flatten(entries: readonly Entry[], prefix: string, out: ConfigSetting[]): void {
  for (const entry of entries) {
    const key = `${prefix}${entry.key.toLowerCase()}`;
    flattenValue(key, entry.location, entry.value, out);
  }
}

function flattenValue(
  key: string,
  location: SourceLocation,
  value: Value,
  out: ConfigSetting[],
): void {
  if (value.type === 'scalar') out.push(setting(key, value.text, location));
  else if (value.type === 'map') {
    out.push(setting(key, '{}', location));
    flatten(value.entries, `${key}.`, out);
  } else {
    out.push(
      setting(
        key,
        value.items.map((item) => (item.type === 'scalar' ? item.text : '{}')).join(','),
        location,
      ),
    );
    value.items.forEach((item, index) => {
      flattenValue(`${key}.${index}`, item.location, item, out);
    });
  }
}

export function parseNatsConf(
  text: string,
  file: string,
  options: { resolveInclude?: IncludeResolver } = {},
): PlannedConfig[] {
  const entries = new NatsParser(text, file, options.resolveInclude, 0).parseTop();
  const settings: ConfigSetting[] = [];
  flatten(entries, '', settings);
  if (settings.length === 0) {
    throw configInvalid('nats-conf', { file, line: 1, column: 1 }, 'the file holds no settings');
  }
  const name = [...settings].reverse().find((entry) => entry.key === 'server_name')?.value;
  return [
    {
      kind: 'nats',
      format: 'nats-conf',
      file,
      ...(name !== undefined && { member: name }),
      settings,
    },
  ];
}
