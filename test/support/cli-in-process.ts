/**
 * Runs a quorumctl command inside the test process, so nock intercepts its HTTP calls (the
 * Kubernetes API fakes): stdout and stderr are captured, and the exit code is read from
 * oclif's ExitError instead of ending the process.
 */
import { Config, Errors } from '@oclif/core';
import { REPO_ROOT } from './cli.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

let config: Config | undefined;

/** Runs `argv` (command id words first, as a user types them) with `env` set meanwhile. */
export async function runInProcess(
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<InProcessResult> {
  config ??= await Config.load(REPO_ROOT);
  const { id, rest } = splitCommand(config, argv);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const writes = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  const capture =
    (sink: string[], passThrough: typeof process.stdout.write) =>
    (chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      // node --test's child reports results on stdout as binary frames: those must get
      // through, or the runner loses the results of the tests running meanwhile. quorumctl
      // writes text only.
      if (typeof chunk !== 'string')
        return passThrough(chunk, encodingOrCallback as BufferEncoding, callback as () => void);
      sink.push(chunk);
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof done === 'function') {
        queueMicrotask(() => {
          (done as () => void)();
        });
      }
      return true;
    };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  setEnv(env);
  process.stdout.write = capture(stdout, writes.out);
  process.stderr.write = capture(stderr, writes.err);
  let code = 0;
  try {
    await config.runCommand(id, rest);
  } catch (error) {
    if (error instanceof Errors.ExitError) code = error.oclif.exit ?? 1;
    else throw error;
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    setEnv(saved);
  }
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** The longest prefix of words that names a command: `backup schedule --cron ...`. */
function splitCommand(loaded: Config, argv: string[]): { id: string; rest: string[] } {
  for (let words = argv.length; words > 0; words--) {
    const id = argv.slice(0, words).join(':');
    if (loaded.findCommand(id) !== undefined) return { id, rest: argv.slice(words) };
  }
  throw new Error(`no command in: ${argv.join(' ')}`);
}

function setEnv(values: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = value;
  }
}
