/**
 * Reading argv directly, for the one moment flags do not exist yet: reporting an error
 * that happened while oclif parsed them, in the format the user asked for.
 */

/** The value given to `-o`/`--output` (`-o json`, `-ojson`, `-o=json`, `--output=json`). */
export function outputValueFromArgv(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const inline = /^(?:--output=|-o=?)(\w+)$/.exec(arg);
    if (inline?.[1] !== undefined) return inline[1];
    if (arg === '-o' || arg === '--output') return argv[index + 1];
  }
  return undefined;
}

/** oclif colours its parse errors; our messages are plain text. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
