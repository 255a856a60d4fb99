/**
 * Reads one flat EDN map per line, e.g. `{:process 3, :type :ok, :f :get, :key "1", :value "x"}`:
 * keyword keys; values that are strings, numbers, keywords, nil, booleans or flat vectors.
 */

export type EdnScalar = string | number | boolean | null | { keyword: string };
export type EdnValue = EdnScalar | EdnScalar[];

export class EdnSyntaxError extends Error {}

export function readEdnMap(text: string): Map<string, EdnValue> {
  const reader = new Reader(text);
  reader.expect('{');
  const map = new Map<string, EdnValue>();
  for (;;) {
    reader.skipSpace();
    if (reader.peek() === '}') break;
    const key = reader.value();
    if (Array.isArray(key) || key === null || typeof key !== 'object') {
      throw new EdnSyntaxError(
        `map keys must be keywords such as :type (at column ${reader.column})`,
      );
    }
    reader.skipSpace();
    if (reader.peek() === '}') throw new EdnSyntaxError(`:${key.keyword} has no value`);
    map.set(key.keyword, reader.value());
  }
  reader.expect('}');
  reader.skipSpace();
  if (!reader.atEnd()) {
    throw new EdnSyntaxError(`unexpected text after the map at column ${reader.column}`);
  }
  return map;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '"': '"',
  '\\': '\\',
};
const DELIMITERS = new Set(['{', '}', '[', ']', '"', ',']);

class Reader {
  private position = 0;
  constructor(private readonly text: string) {}

  get column(): number {
    return this.position + 1;
  }

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.position];
  }

  skipSpace(): void {
    while (!this.atEnd() && /[\s,]/.test(this.text[this.position] ?? '')) this.position++;
  }

  expect(character: string): void {
    this.skipSpace();
    if (this.peek() !== character) {
      throw new EdnSyntaxError(
        `expected "${character}" at column ${this.column}, found ${this.atEnd() ? 'the end of the line' : `"${this.peek()}"`}`,
      );
    }
    this.position++;
  }

  value(): EdnValue {
    this.skipSpace();
    if (this.peek() === '[') {
      this.position++;
      const items: EdnScalar[] = [];
      for (;;) {
        this.skipSpace();
        if (this.peek() === ']') break;
        if (this.atEnd()) throw new EdnSyntaxError('a vector is not closed with "]"');
        const item = this.value();
        if (Array.isArray(item)) throw new EdnSyntaxError('nested vectors are not supported');
        items.push(item);
      }
      this.position++;
      return items;
    }
    if (this.peek() === '"') return this.string();
    return this.token();
  }

  private string(): string {
    const start = this.column;
    this.position++;
    let result = '';
    for (;;) {
      if (this.atEnd()) throw new EdnSyntaxError(`the string at column ${start} is not closed`);
      const character = this.text[this.position++] ?? '';
      if (character === '"') return result;
      if (character !== '\\') {
        result += character;
        continue;
      }
      const escaped = ESCAPES[this.text[this.position++] ?? ''];
      if (escaped === undefined) {
        throw new EdnSyntaxError(`unknown escape in the string at column ${start}`);
      }
      result += escaped;
    }
  }

  private token(): EdnScalar {
    const start = this.position;
    while (
      !this.atEnd() &&
      !DELIMITERS.has(this.text[this.position] ?? '') &&
      !/\s/.test(this.text[this.position] ?? '')
    ) {
      this.position++;
    }
    const token = this.text.slice(start, this.position);
    if (token === '') {
      throw new EdnSyntaxError(
        `expected a value at column ${start + 1}, found ${this.atEnd() ? 'the end of the line' : `"${this.peek()}"`}`,
      );
    }
    if (token === 'nil') return null;
    if (token === 'true' || token === 'false') return token === 'true';
    if (token.startsWith(':') && token.length > 1) return { keyword: token.slice(1) };
    if (/^[-+]?\d+(\.\d+)?$/.test(token)) return Number(token);
    throw new EdnSyntaxError(`cannot read "${token}" at column ${start + 1}`);
  }
}
