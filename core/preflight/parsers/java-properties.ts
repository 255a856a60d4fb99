/**
 * java.util.Properties.load, which reads both zoo.cfg and Kafka's server.properties: `=`, `:`
 * or blanks between key and value, `#`/`!` comments, backslash continuations and escapes.
 */
import type { ConfigFormat, ConfigSetting } from '../facts.js';
import { configInvalid, LineIndex, setting } from './common.js';

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** One entry per key=value line, in file order; the location is where the key starts. */
export function parseJavaProperties(
  text: string,
  file: string,
  format: ConfigFormat,
): ConfigSetting[] {
  const index = new LineIndex(text);
  const settings: ConfigSetting[] = [];
  let offset = 0;
  while (offset < text.length) {
    // Skip leading blanks of a natural line (and blank lines).
    while (offset < text.length && ' \t\f\r\n'.includes(text[offset] ?? '')) offset += 1;
    if (offset >= text.length) break;
    if (text[offset] === '#' || text[offset] === '!') {
      while (offset < text.length && text[offset] !== '\n' && text[offset] !== '\r') offset += 1;
      continue;
    }
    const keyStart = offset;
    let key = '';
    let value = '';
    let inKey = true;
    let separatorSeen = false;
    let valueStarted = false;
    for (;;) {
      const char = text[offset];
      if (char === undefined || char === '\n' || char === '\r') break;
      if (char === '\\') {
        const next = text[offset + 1];
        if (next === undefined) {
          offset += 1; // a trailing backslash at the end of the file is dropped
          break;
        }
        if (next === '\n' || next === '\r') {
          // A continuation: the next line's leading blanks are not part of the value.
          offset += next === '\r' && text[offset + 2] === '\n' ? 3 : 2;
          while (offset < text.length && ' \t\f'.includes(text[offset] ?? '')) offset += 1;
          continue;
        }
        let decoded: string;
        if (next === 'u') {
          const hex = text.slice(offset + 2, offset + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            throw configInvalid(
              format,
              index.location(file, offset),
              'malformed \\uXXXX escape (Java refuses to load this file)',
              'write four hexadecimal digits after \\u, or \\\\ for a backslash',
            );
          }
          decoded = String.fromCharCode(parseInt(hex, 16));
          offset += 6;
        } else {
          decoded = ESCAPES[next] ?? next;
          offset += 2;
        }
        if (inKey) key += decoded;
        else value += decoded;
        valueStarted = valueStarted || !inKey;
        continue;
      }
      if (inKey) {
        if (char === '=' || char === ':') {
          inKey = false;
          separatorSeen = true;
          offset += 1;
          continue;
        }
        if (char === ' ' || char === '\t' || char === '\f') {
          inKey = false;
          offset += 1;
          continue;
        }
        key += char;
        offset += 1;
        continue;
      }
      if (!valueStarted) {
        if (char === ' ' || char === '\t' || char === '\f') {
          offset += 1;
          continue;
        }
        if (!separatorSeen && (char === '=' || char === ':')) {
          separatorSeen = true;
          offset += 1;
          continue;
        }
        valueStarted = true;
      }
      value += char;
      offset += 1;
    }
    settings.push(setting(key, value, index.location(file, keyStart)));
  }
  return settings;
}
