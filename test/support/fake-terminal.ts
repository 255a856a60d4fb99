/** A stand-in for a TTY write stream: what ink writes is kept, frame by frame, for assertions. */
import { EventEmitter } from 'node:events';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?<>=]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

export class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  columns: number;
  rows: number;
  readonly writes: string[] = [];

  constructor(columns = 100, rows = 30) {
    super();
    this.columns = columns;
    this.rows = rows;
  }

  write(chunk: string | Uint8Array, encoding?: unknown, callback?: () => void): boolean {
    this.writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? (encoding as () => void) : callback;
    done?.();
    return true;
  }

  /** Everything written, escape sequences removed. */
  text(): string {
    return this.writes.join('').replace(ANSI, '');
  }

  /** The last write that drew something, escape sequences removed. */
  lastFrame(): string {
    for (let at = this.writes.length - 1; at >= 0; at -= 1) {
      const plain = (this.writes[at] ?? '').replace(ANSI, '').trim();
      if (plain !== '') return plain;
    }
    return '';
  }

  asStream(): NodeJS.WriteStream {
    return this as unknown as NodeJS.WriteStream;
  }
}
