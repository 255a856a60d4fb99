// Issue 9 part 4 through the real CLI against a real etcd sandbox: `backup create` in tmux (a
// TTY) draws the ink step view on stderr, spinner while running, ✔ rows and the summary as the
// last frame, cursor visible afterwards; Ctrl-C mid-snapshot exits 130 with the view closed;
// piped, the same steps come as plain lines; with -o json stderr stays empty.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SPINNER_FRAMES } from '../../dashboards/views/spinner.js';
import { putLargeValues } from '../support/backup-etcd-load.js';
import { createCliHome, REPO_ROOT, type CliHome } from '../support/cli.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin', 'quorumctl');
const MIB = 1024 * 1024;
/** Our own tmux server: never the developer's sessions, and killed whole at the end. */
const SOCKET = `quorumctl-progress-${process.pid}`;
const SESSION = 'progress';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?<>=]*[ -/]*[@-~]/g;

const tmux = async (...args: string[]) =>
  (await run('tmux', ['-L', SOCKET, ...args], { timeout: 10_000 })).stdout;
const screen = () => tmux('capture-pane', '-p', '-t', SESSION);

async function waitForScreen(pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline)
      throw new Error(`the screen never matched ${String(pattern)}; it shows:\n${text}`);
    await sleep(100);
  }
}

describe('progress views of backup create', { timeout: 240_000 }, () => {
  let home: CliHome;
  let dest: string;
  let rawPane: string;

  before(async () => {
    home = await createCliHome();
    dest = join(home.dir, 'backups');
    rawPane = join(home.dir, 'pane.raw');
    const record = await home.sandboxUp('progress', ['--members', '1']);
    // 40 MiB: the snapshot runs long enough over the JSON gateway to be watched and interrupted.
    await putLargeValues(record.members[0]!.clientUrl, '/blobs/', 40, MIB);
    const env = [
      `QUORUMCTL_CONFIG=${home.configPath}`,
      `XDG_STATE_HOME=${home.stateHome}`,
      `XDG_CONFIG_HOME=${join(home.dir, 'config')}`,
    ];
    await tmux(
      'new-session',
      '-d',
      '-s',
      SESSION,
      '-x',
      '110',
      '-y',
      '30',
      'env',
      ...env,
      'TERM=xterm-256color',
      'PS1=$ ',
      'bash',
      '--norc',
      '--noprofile',
    );
    // Everything the program writes, frame by frame: the spinner is only ever in mid-run frames.
    await tmux('pipe-pane', '-t', SESSION, '-o', `cat >> ${rawPane}`);
  });

  after(async () => {
    // kill-server leaves its socket file behind: remove it too.
    const socket = (await tmux('display', '-p', '#{socket_path}').catch(() => '')).trim();
    await tmux('kill-server').catch(() => undefined);
    if (socket !== '') await rm(socket, { force: true });
    await home.cleanup();
  });

  test('on a terminal: a live step view, and the last frame says what was done', async () => {
    await tmux(
      'send-keys',
      '-t',
      SESSION,
      `clear; ${BIN} backup create --dest ${dest} --verify; echo EXIT=$?`,
      'Enter',
    );
    const final = await waitForScreen(/EXIT=\d+/, 90_000);
    assert.match(final, /EXIT=0/, final);
    assert.match(
      final,
      /✔ snapshot of sandbox-progress +\d+ MiB at [\d.]+ [KMG]?i?B\/s +[\d.]+ m?s/,
    );
    assert.match(final, /✔ commit to .*backups +sandbox-progress-\d{8}T\d{6}Z\.manifest\.json/);
    assert.match(final, /✔ verify the stored copy +\d+ MiB re-read: size, SHA-256, structure ok/);
    assert.match(final, /^3 done in [\d.]+ m?s$/m);
    // The result follows the view, which stays on screen above it.
    assert.match(final, /3 done in .*\nbackup sandbox-progress-\d{8}T\d{6}Z: /s);
    const raw = await readFile(rawPane, 'utf8');
    const spinnerRows = SPINNER_FRAMES.filter((frame) =>
      raw.replace(ANSI, '').includes(`${frame} snapshot of sandbox-progress`),
    );
    assert.ok(spinnerRows.length >= 1, 'a spinner ran beside the snapshot while it ran');
    assert.match(raw.replace(ANSI, ''), /· verify the stored copy/, 'pending steps were listed');
    assert.equal(
      (await tmux('display', '-p', '-t', SESSION, '#{cursor_flag} #{alternate_on}')).trim(),
      '1 0',
      'the cursor is visible again and no alternate screen is left',
    );
  });

  test('on a terminal, Ctrl-C mid-snapshot: exit 130, the step marked interrupted', async (t) => {
    await tmux(
      'send-keys',
      '-t',
      SESSION,
      `clear; ${BIN} backup create --dest ${dest} --transport gateway; echo EXIT=$?`,
      'Enter',
    );
    const running = await waitForScreen(
      /snapshot of sandbox-progress +\d+(\.\d+)? MiB \/|EXIT=/,
      60_000,
    );
    if (/EXIT=/.test(running)) {
      t.skip('the snapshot finished before it could be interrupted (a fast machine)');
      return;
    }
    await tmux('send-keys', '-t', SESSION, 'C-c');
    const final = await waitForScreen(/EXIT=\d+/, 30_000);
    if (/EXIT=0/.test(final)) {
      t.skip('the snapshot finished before Ctrl-C arrived (a fast machine)');
      return;
    }
    assert.match(final, /EXIT=130/, final);
    assert.match(final, /✖ snapshot of sandbox-progress +interrupted: nothing kept/);
    assert.match(final, /^1 failed, 1 pending in /m);
    assert.match(final, /Error \(BACKUP_INTERRUPTED\)/);
    assert.equal(
      (await tmux('display', '-p', '-t', SESSION, '#{cursor_flag}')).trim(),
      '1',
      'the cursor is visible after Ctrl-C',
    );
  });

  test('piped: one plain line per step, no escape sequences; -o json: nothing on stderr', async () => {
    const piped = await home.run(
      ['backup', 'create', '--dest', dest, '--verify', '--retain', 'last=1'],
      {
        timeoutMs: 90_000,
      },
    );
    assert.equal(piped.code, 0, piped.stderr);
    assert.ok(!piped.stderr.includes('\u001b'), 'no escape sequences in a pipe');
    assert.match(piped.stderr, /^\[running\] snapshot of sandbox-progress$/m);
    assert.match(
      piped.stderr,
      /^\[done\] snapshot of sandbox-progress \(\d+ MiB at [\d.]+ [KMG]?i?B\/s\) [\d.]+ m?s$/m,
    );
    assert.match(piped.stderr, /^\[done\] commit to .*\(sandbox-progress-.*\.manifest\.json\) /m);
    assert.match(piped.stderr, /^\[done\] verify the stored copy \(.*structure ok\) /m);
    assert.match(piped.stderr, /^\[done\] prune with last=1 \(removed sandbox-progress-/m);
    assert.match(piped.stdout, /^backup sandbox-progress-\d{8}T\d{6}Z: /);

    const json = await home.run(['backup', 'create', '--dest', dest, '--verify', '-o', 'json'], {
      timeoutMs: 90_000,
    });
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stderr, '');
    const envelope = JSON.parse(json.stdout) as {
      result: { manifest: { verification?: { integrity: string } } };
    };
    assert.equal(envelope.result.manifest.verification?.integrity, 'ok');
  });
});
