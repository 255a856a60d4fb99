#!/usr/bin/env node
/**
 * Captures the ink progress view of a real `quorumctl backup create` against a sandbox into
 * docs/images/progress.svg (the last frame: every step with its result) and
 * docs/images/progress-running.svg (mid-snapshot: spinner, bytes, rate, ETA), through tmux
 * capture-pane -e and scripts/ansi-to-svg.mjs. Needs a build (npm run build), etcd and tmux.
 *
 * Usage: node scripts/capture-progress.mjs [--out-dir docs/images] [--data-mib 160]
 */
import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ansiToSvg } from './ansi-to-svg.mjs';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN_DIR = join(ROOT, 'bin');
const SOCKET = `quorumctl-capture-${process.pid}`;
const SESSION = 'capture';
const COLUMNS = 100;
const ROWS = 14;

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
}

const tmux = async (...args) => (await run('tmux', ['-L', SOCKET, ...args])).stdout;

// eslint-disable-next-line no-control-regex -- colour escapes are stripped before matching
const SGR = /\u001b\[[0-9;]*m/g;

/** Polls the pane (with its colours) until its plain text passes `test`; an error ends the wait. */
async function waitForScreen(test, timeoutMs, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await tmux('capture-pane', '-p', '-e', '-t', SESSION);
    const plain = text.replace(SGR, '');
    if (test(plain)) return { text, plain };
    if (/^Error \(/m.test(plain)) throw new Error(`quorumctl failed:\n${plain}`);
    if (Date.now() > deadline) throw new Error(`gave up waiting; the screen shows:\n${plain}`);
    await sleep(intervalMs);
  }
}

/** Large values through the v3 JSON gateway, so the snapshot runs long enough to be seen. */
async function fill(clientUrl, mebibytes) {
  const put = async (n) => {
    const value = Buffer.alloc(1024 * 1024);
    // Each value differs, so nothing on the way can deduplicate it.
    value.writeUInt32LE(n, 0);
    const response = await globalThis.fetch(`${clientUrl}/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({
        key: Buffer.from(`/demo/blob-${n}`).toString('base64'),
        value: value.toString('base64'),
      }),
    });
    if (!response.ok) throw new Error(`put: HTTP ${response.status}`);
  };
  for (let n = 0; n < mebibytes; n += 4)
    await Promise.all([n, n + 1, n + 2, n + 3].filter((at) => at < mebibytes).map(put));
}

/** The shell prompt that came back after the command is not part of the picture. */
function withoutPrompt(text) {
  const lines = text.trimEnd().split('\n');
  while (lines.length > 0 && lines.at(-1).replace(SGR, '').trim() === '$') lines.pop();
  return `${lines.join('\n')}\n`;
}

/**
 * Browsers collapse runs of spaces in SVG <text> despite xml:space="preserve" (Chromium
 * drops the leading space of a run and squeezes the columns after it): no-break spaces
 * keep every cell. A no-op once ansi-to-svg.mjs writes them itself.
 */
function keepSpaces(svg) {
  return svg.replace(
    /(<text [^>]*>)([^<]*)(<\/text>)/g,
    (_, open, content, close) => `${open}${content.replaceAll(' ', '&#160;')}${close}`,
  );
}

async function main() {
  const outDir = resolve(option('--out-dir', join(ROOT, 'docs', 'images')));
  const dataMiB = Number(option('--data-mib', '160'));
  const home = await mkdtemp(join(tmpdir(), 'quorumctl-capture-'));
  const env = {
    ...process.env,
    QUORUMCTL_CONFIG: join(home, 'config.yaml'),
    XDG_STATE_HOME: join(home, 'state'),
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  const quorumctl = (...args) => run(join(BIN_DIR, 'quorumctl'), args, { env, timeout: 120_000 });
  try {
    const up = JSON.parse((await quorumctl('sandbox', 'up', 'demo', '-o', 'json')).stdout);
    await fill(up.result.members[0].clientUrl, dataMiB);
    await tmux(
      ...['new-session', '-d', '-s', SESSION, '-x', String(COLUMNS), '-y', String(ROWS)],
      ...['-c', home, 'env', `QUORUMCTL_CONFIG=${env.QUORUMCTL_CONFIG}`],
      `XDG_STATE_HOME=${env.XDG_STATE_HOME}`,
      `XDG_CONFIG_HOME=${env.XDG_CONFIG_HOME}`,
      `PATH=${BIN_DIR}:${process.env.PATH}`,
      ...['TERM=xterm-256color', 'PS1=$ ', 'bash', '--norc', '--noprofile'],
    );
    // A first backup, so the captured run has something to prune.
    await quorumctl('backup', 'create', '--dest', join(home, 'backups'), '-o', 'json');
    await tmux('send-keys', '-t', SESSION, 'clear', 'Enter');
    await sleep(300);
    // The JSON gateway is the slower transport: the snapshot stays on screen long enough.
    const command =
      'quorumctl backup create --dest backups --transport gateway --verify --retain last=1';
    await tmux('send-keys', '-t', SESSION, command, 'Enter');
    const finished = (plain) => / done in /.test(plain) && plain.trimEnd().endsWith('\n$');
    // A frame a fifth of the way in: bytes, rate and ETA have settled by then.
    const snapshotRunning = (plain) =>
      Number(/snapshot of sandbox-demo +\d+ MiB \/ .*\((\d+)%\).*ETA/.exec(plain)?.[1] ?? -1) >= 20;
    const first = await waitForScreen(
      (plain) => snapshotRunning(plain) || finished(plain),
      120_000,
    );
    const running = snapshotRunning(first.plain) ? first.text : undefined;
    if (running === undefined)
      process.stderr.write(
        'the snapshot ended before a running frame was seen: use more --data-mib\n',
      );
    const final = (await waitForScreen(finished, 120_000, 200)).text;
    await mkdir(outDir, { recursive: true });
    const written = [];
    const save = async (name, text, title) => {
      const path = join(outDir, name);
      await writeFile(
        path,
        keepSpaces(ansiToSvg(withoutPrompt(text), { title, columns: COLUMNS })),
      );
      written.push(path);
    };
    await save('progress.svg', final, 'quorumctl backup create: the step view when it is done');
    if (running !== undefined)
      await save('progress-running.svg', running, 'quorumctl backup create: mid-snapshot');
    process.stdout.write(`${written.join('\n')}\n`);
  } finally {
    // kill-server leaves its socket file behind: remove it too.
    const socket = (await tmux('display', '-p', '#{socket_path}').catch(() => '')).trim();
    await tmux('kill-server').catch(() => undefined);
    if (socket !== '') await rm(socket, { force: true });
    await run(join(BIN_DIR, 'quorumctl'), ['sandbox', 'down', 'demo'], { env }).catch(
      () => undefined,
    );
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`capture-progress: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
