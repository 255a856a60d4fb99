// The progress views: the pure model, the plain-line sink, the choice of sink, and the ink
// view drawn to a fake terminal (spinner, labels, results, summary, signals left alone).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../core/ports.js';
import { createProgressSink, progressStyle } from '../../cli/render/progress.js';
import { formatStepDuration, plainLine } from '../../dashboards/views/format.js';
import { createInkProgressSink } from '../../dashboards/views/ink-progress-sink.js';
import {
  createLineProgressSink,
  type ClosableProgressSink,
} from '../../dashboards/views/line-progress-sink.js';
import { createLiveProgressSink } from '../../dashboards/views/live-progress-sink.js';
import { createProgressStore } from '../../dashboards/views/progress-store.js';
import {
  closeProgress,
  EMPTY_PROGRESS,
  foldProgress,
  stepDurationMs,
  summarize,
} from '../../dashboards/views/progress-model.js';
import { SPINNER_FRAMES } from '../../dashboards/views/spinner.js';
import { FakeTerminal } from '../support/fake-terminal.js';

/** A clock the test moves by hand. */
function manualClock(startMs = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return {
    now: () => new Date(nowMs),
    advance: (ms) => {
      nowMs += ms;
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe('ProgressModel', () => {
  test('rows keep the order of first appearance; durations come from the clock', () => {
    let model = EMPTY_PROGRESS;
    model = foldProgress(model, { step: 'b', label: 'defragment n2', state: 'pending' }, 0);
    model = foldProgress(model, { step: 'a', label: 'defragment n1', state: 'running' }, 100);
    model = foldProgress(model, { step: 'b', label: 'defragment n2', state: 'running' }, 200);
    model = foldProgress(
      model,
      { step: 'a', label: 'defragment n1', state: 'done', detail: '412 MiB -> 96 MiB' },
      3_300,
    );
    assert.deepEqual(
      model.rows.map((row) => [row.step, row.state]),
      [
        ['b', 'running'],
        ['a', 'done'],
      ],
    );
    const [b, a] = model.rows;
    assert.equal(stepDurationMs(a!, 9_999), 3_200);
    assert.equal(stepDurationMs(b!, 1_200), 1_000, 'a running step counts up to now');
    assert.equal(model.firstEventAtMs, 0);
  });

  test('a bare done keeps the last detail; a pending step has no duration', () => {
    let model = foldProgress(
      EMPTY_PROGRESS,
      { step: 's', label: 'snapshot', state: 'running', detail: '12 MiB' },
      0,
    );
    model = foldProgress(model, { step: 's', label: 'snapshot', state: 'done' }, 50);
    model = foldProgress(model, { step: 'v', label: 'verify', state: 'pending' }, 50);
    assert.equal(model.rows[0]!.detail, '12 MiB');
    assert.equal(stepDurationMs(model.rows[1]!, 500), undefined);
  });

  test('a repeated final event does not move the finish time', () => {
    let model = foldProgress(EMPTY_PROGRESS, { step: 's', label: 'x', state: 'running' }, 0);
    model = foldProgress(model, { step: 's', label: 'x', state: 'done' }, 10);
    model = foldProgress(model, { step: 's', label: 'x', state: 'done', detail: 'later' }, 99);
    assert.equal(model.rows[0]!.finishedAtMs, 10);
    assert.equal(model.rows[0]!.detail, 'later');
  });

  test('closing stops running steps and fixes the total; the summary counts states', () => {
    let model = EMPTY_PROGRESS;
    model = foldProgress(model, { step: '1', label: 'one', state: 'done' }, 1_000);
    model = foldProgress(model, { step: '2', label: 'two', state: 'skipped' }, 1_500);
    model = foldProgress(model, { step: '3', label: 'three', state: 'running' }, 2_000);
    assert.equal(summarize(model, 2_500).finished, false);
    model = closeProgress(model, 4_000);
    assert.equal(model.rows[2]!.state, 'stopped');
    assert.equal(stepDurationMs(model.rows[2]!, 99_999), 2_000);
    const summary = summarize(model, 99_999);
    assert.equal(summary.totalMs, 3_000);
    assert.equal(summary.finished, true);
    assert.equal(summary.failed, true, 'a step stopped half-way is not a success');
    assert.deepEqual(
      [summary.counts.done, summary.counts.skipped, summary.counts.stopped],
      [1, 1, 1],
    );
  });
});

describe('the live store', () => {
  test('new steps and state changes notify at once, byte counts at most every interval', async () => {
    const store = createProgressStore(manualClock(), 50);
    let notified = 0;
    store.subscribe(() => (notified += 1));
    store.report({ step: 's', label: 'snapshot', state: 'running' });
    assert.equal(notified, 1);
    for (let mib = 1; mib <= 50; mib += 1)
      store.report({ step: 's', label: 'snapshot', state: 'running', detail: `${mib} MiB` });
    assert.equal(notified, 1, 'detail-only changes wait');
    await waitFor(() => notified === 2, 5_000);
    assert.equal(store.getSnapshot().rows[0]!.detail, '50 MiB');
    store.report({ step: 's', label: 'snapshot', state: 'done' });
    assert.equal(notified, 3);
    store.close();
    assert.equal(notified, 4);
    store.report({ step: 'late', label: 'late', state: 'running' });
    assert.equal(store.getSnapshot().rows.length, 1, 'nothing is folded in after close');
  });
});

describe('plain lines', () => {
  test('the line format: state, label, detail, duration once ended', () => {
    const row = {
      step: 'n2',
      label: 'defragment n2',
      state: 'done' as const,
      detail: '412 MiB -> 96 MiB',
      startedAtMs: 0,
      finishedAtMs: 3_200,
    };
    assert.equal(plainLine(row, 5_000), '[done] defragment n2 (412 MiB -> 96 MiB) 3.2 s');
    assert.equal(
      plainLine({ step: 'x', label: 'verify', state: 'running', startedAtMs: 0 }, 10),
      '[running] verify',
    );
    assert.deepEqual([412, 3_249, 125_000, -1].map(formatStepDuration), [
      '412 ms',
      '3.2 s',
      '2 min 5 s',
      '-',
    ]);
  });

  test('one line per state change; pending and detail-only updates print nothing', async () => {
    const clock = manualClock();
    const lines: string[] = [];
    const sink = createLineProgressSink({ write: (text: string) => lines.push(text) }, clock);
    sink.report({ step: 'n1', label: 'defragment n1', state: 'pending' });
    sink.report({ step: 'n2', label: 'defragment n2', state: 'pending' });
    sink.report({ step: 'n1', label: 'defragment n1', state: 'running' });
    sink.report({ step: 'n1', label: 'defragment n1', state: 'running', detail: '50%' });
    clock.advance(3_200);
    sink.report({
      step: 'n1',
      label: 'defragment n1',
      state: 'done',
      detail: '412 MiB -> 96 MiB',
    });
    sink.report({ step: 'n2', label: 'defragment n2', state: 'skipped', detail: 'no leader' });
    sink.report({ step: 'n3', label: 'defragment n3', state: 'running' });
    clock.advance(500);
    await sink.close();
    sink.report({ step: 'n4', label: 'after close', state: 'running' });
    assert.deepEqual(lines, [
      '[running] defragment n1\n',
      '[done] defragment n1 (412 MiB -> 96 MiB) 3.2 s\n',
      '[skipped] defragment n2 (no leader) 0 ms\n',
      '[running] defragment n3\n',
      '[stopped] defragment n3 500 ms\n',
    ]);
  });

  test('a stream that throws does not fail the work', async () => {
    const sink = createLineProgressSink({
      write: () => {
        throw new Error('EPIPE');
      },
    });
    sink.report({ step: 'a', label: 'a', state: 'running' });
    await sink.close();
  });
});

describe('which sink a command gets', () => {
  test('json and yaml are silent, a terminal is live, a pipe gets lines', () => {
    assert.equal(progressStyle('json', true, {}), 'silent');
    assert.equal(progressStyle('yaml', false, {}), 'silent');
    assert.equal(progressStyle('table', true, {}), 'live');
    assert.equal(progressStyle('table', false, {}), 'lines');
    assert.equal(progressStyle('table', true, { TERM: 'dumb' }), 'lines');
    assert.equal(progressStyle('table', true, { QUORUMCTL_PROGRESS: 'lines' }), 'lines');
    assert.equal(progressStyle('table', true, { QUORUMCTL_PROGRESS: 'none' }), 'silent');
  });

  test('createProgressSink writes nothing for json and lines to a non-terminal', async () => {
    const writes: string[] = [];
    const pipe = { write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream;
    const silent = createProgressSink({ format: 'json', stream: pipe, env: {} });
    silent.report({ step: 'a', label: 'snapshot', state: 'running' });
    await silent.close();
    assert.deepEqual(writes, []);
    const lines = createProgressSink({ format: 'table', stream: pipe, env: {} });
    lines.report({ step: 'a', label: 'snapshot', state: 'running' });
    await lines.close();
    assert.match(writes.join(''), /^\[running\] snapshot\n\[stopped\] snapshot \d+ ms\n$/);
  });
});

describe('the live sink while ink loads', () => {
  test('events wait for the view, a run of details collapses, close waits for the view', async () => {
    const seen: string[] = [];
    let resolveLoad: (sink: ClosableProgressSink) => void = () => undefined;
    const loaded = new Promise<ClosableProgressSink>((resolve) => (resolveLoad = resolve));
    const terminal = new FakeTerminal();
    const sink = createLiveProgressSink(terminal.asStream(), {}, () => loaded);
    sink.report({ step: 'a', label: 'snapshot', state: 'running' });
    for (let bytes = 1; bytes <= 100; bytes += 1)
      sink.report({ step: 'a', label: 'snapshot', state: 'running', detail: `${bytes} MiB` });
    sink.report({ step: 'a', label: 'snapshot', state: 'done' });
    const closing = sink.close();
    sink.report({ step: 'b', label: 'after close', state: 'running' });
    let closedView = false;
    resolveLoad({
      report: (event) => seen.push(`${event.state} ${event.detail ?? ''}`.trim()),
      close: () => {
        closedView = true;
        return Promise.resolve();
      },
    });
    await closing;
    assert.deepEqual(seen, ['running 100 MiB', 'done']);
    assert.equal(closedView, true);
  });

  test('if ink cannot load, plain lines instead', async () => {
    const writes: string[] = [];
    const pipe = { write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream;
    const sink = createLiveProgressSink(pipe, {}, () => Promise.reject(new Error('no ink')));
    sink.report({ step: 'a', label: 'snapshot', state: 'running' });
    await sink.close();
    assert.match(writes.join(''), /^\[running\] snapshot\n\[stopped\] snapshot/);
  });
});

describe('the ink view on a (fake) terminal', () => {
  test('spinner and label while running, ✔ and duration when done, summary on close', async () => {
    const clock = manualClock();
    const terminal = new FakeTerminal();
    const sigintListeners = process.listenerCount('SIGINT');
    const sink = createInkProgressSink(terminal.asStream(), { clock, tickMs: 20 });
    sink.report({ step: 'snapshot', label: 'snapshot of prod', state: 'running', detail: '1 MiB' });
    sink.report({ step: 'verify', label: 'verify', state: 'pending' });
    // The first frames of a cold React take a while on a loaded machine: wait, do not guess.
    const framesSeen = () =>
      SPINNER_FRAMES.filter((frame) => terminal.text().includes(`${frame} snapshot`));
    await waitFor(() => framesSeen().length >= 2, 10_000);
    const running = terminal.text();
    assert.match(running, /snapshot of prod +1 MiB/);
    assert.match(running, /· verify/);

    clock.advance(3_200);
    sink.report({ step: 'snapshot', label: 'snapshot of prod', state: 'done', detail: '96 MiB' });
    sink.report({ step: 'verify', label: 'verify', state: 'running' });
    clock.advance(400);
    sink.report({ step: 'verify', label: 'verify', state: 'failed', detail: 'SHA-256 mismatch' });
    await sink.close();
    const final = terminal.lastFrame();
    assert.match(final, /✔ snapshot of prod +96 MiB +3\.2 s/);
    assert.match(final, /✖ verify +SHA-256 mismatch +400 ms/);
    assert.match(final, /1 done, 1 failed in 3\.6 s/);
    assert.ok(terminal.writes.join('').includes('\u001b[?25h'), 'the cursor is shown again');
    assert.equal(process.listenerCount('SIGINT'), sigintListeners, 'signal handlers are gone');

    // Timers stopped with the view: nothing is drawn after close.
    const writesAtClose = terminal.writes.length;
    await sleep(200);
    assert.equal(terminal.writes.length, writesAtClose);
    sink.report({ step: 'late', label: 'late', state: 'running' });
    await sink.close();
    assert.equal(terminal.writes.length, writesAtClose);
  });

  test('a step still running at close shows stopped, not a spinner', async () => {
    const terminal = new FakeTerminal();
    const sink = createInkProgressSink(terminal.asStream());
    sink.report({ step: 'a', label: 'move leader to n3', state: 'running' });
    await sink.close();
    assert.match(terminal.lastFrame(), /■ move leader to n3 +\d+ ms\s+1 stopped in/);
  });

  test('long details are cut to the terminal width, one row per step', async () => {
    const terminal = new FakeTerminal(60, 20);
    const sink = createInkProgressSink(terminal.asStream());
    sink.report({ step: 'a', label: 'snapshot', state: 'done', detail: 'x'.repeat(200) });
    await sink.close();
    const lines = terminal.lastFrame().split('\n');
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.ok(lines.every((line) => line.length <= 60));
    assert.match(lines[0]!, /…/);
  });
});

const VIEWS = fileURLToPath(
  new URL('../../dashboards/views/ink-progress-sink.js', import.meta.url),
);
const TERMINAL = fileURLToPath(new URL('../support/fake-terminal.js', import.meta.url));

/** Runs a script in a child: a SIGINT must never be tested on the test runner itself. */
function runChild(
  script: string,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 20_000,
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      resolve({ code, signal, out });
    });
  });
}

/** A child with the view up; `beforeView` runs first (commands arm their handlers early). */
const childWithView = (beforeView: string) => `
import { createInkProgressSink } from ${JSON.stringify(VIEWS)};
import { FakeTerminal } from ${JSON.stringify(TERMINAL)};
import { writeSync } from 'node:fs';
${beforeView}
const terminal = new FakeTerminal();
// Also straight to stdout: a process killed by a signal leaves no 'exit' event to report in.
const keep = terminal.write.bind(terminal);
terminal.write = (chunk, encoding, callback) => {
  writeSync(1, typeof chunk === 'string' ? chunk : Buffer.from(chunk));
  return keep(chunk, encoding, callback);
};
const sink = createInkProgressSink(terminal.asStream());
sink.report({ step: 'a', label: 'snapshot', state: 'running' });
const keepAlive = setInterval(() => undefined, 1000);
`;

describe('Ctrl-C while the view is up', () => {
  test("a command's own once-handler keeps the signal: it cleans up and exits its way", async () => {
    const result = await runChild(`${childWithView(`
process.once('SIGINT', () => {
  setTimeout(async () => {
    sink.report({ step: 'a', label: 'snapshot', state: 'failed', detail: 'interrupted' });
    await sink.close();
    clearInterval(keepAlive);
    process.stdout.write('\\n' + JSON.stringify({ cleaned: true, frame: terminal.lastFrame() }));
    process.exitCode = 130;
  }, 200);
});
`)}
setTimeout(() => process.kill(process.pid, 'SIGINT'), 100);
`);
    assert.equal(result.signal, null, 'the process was not killed by the signal');
    assert.equal(result.code, 130, result.out);
    const report = JSON.parse(result.out.slice(result.out.lastIndexOf('\n') + 1)) as {
      cleaned: boolean;
      frame: string;
    };
    assert.equal(report.cleaned, true);
    assert.match(report.frame, /✖ snapshot +interrupted/);
  });

  test('with no handler the signal still ends the process, with the cursor restored', async () => {
    const result = await runChild(`${childWithView('')}
setTimeout(() => process.kill(process.pid, 'SIGINT'), 100);
setTimeout(() => { process.stdout.write('still alive'); process.exit(0); }, 3000);
`);
    assert.equal(result.signal, 'SIGINT', result.out);
    assert.doesNotMatch(result.out, /still alive/);
    assert.ok(result.out.includes('\u001b[?25h'), 'the cursor was shown before the process ended');
    assert.match(result.out, /■ snapshot/, 'the last frame says the step stopped');
  });
});
