/**
 * Progress on a terminal: the ProgressView rendered with ink to `stream` (stderr, so stdout
 * stays clean for results). It never throws into the caller, leaves the last frame and a
 * visible cursor on close(), and leaves Ctrl-C to the command that handles it.
 */
import { render, type Instance } from 'ink';
import type { Clock } from '../../core/ports.js';
import type { ClosableProgressSink } from './line-progress-sink.js';
import { createLineProgressSink } from './line-progress-sink.js';
import { createProgressStore } from './progress-store.js';
import { ProgressView } from './progress-view.js';

const SYSTEM_CLOCK: Clock = { now: () => new Date() };
const SHOW_CURSOR = '\u001b[?25h';
/** The signals an operator sends to stop a command; commands catch them to clean up. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface InkProgressOptions {
  clock?: Clock;
  /** How often the view redraws byte counts and running durations. */
  tickMs?: number;
}

export function createInkProgressSink(
  stream: NodeJS.WriteStream,
  options: InkProgressOptions = {},
): ClosableProgressSink {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const store = createProgressStore(clock, options.tickMs);
  let instance: Instance;
  const signals = stopSignalGuard(() => {
    teardownNow();
  });
  // The model goes in as a prop and each change is drawn with rerender(), which React
  // commits synchronously: a store subscription would wait for React's passive effects,
  // which on a busy machine let the first steps go undrawn for a few hundred ms.
  const view = () => (
    <ProgressView model={store.getSnapshot()} clock={clock} tickMs={options.tickMs ?? 100} />
  );
  try {
    instance = render(view(), {
      stdout: stream,
      stderr: stream,
      // The view reads no keys: stdin, raw mode and Ctrl-C stay the command's.
      exitOnCtrlC: false,
      patchConsole: false,
      // We chose ink because the stream is a terminal; a CI variable must not turn it off.
      interactive: true,
    });
  } catch {
    return createLineProgressSink(stream, clock);
  }
  signals.arm();
  store.subscribe(() => {
    instance.rerender(view());
  });
  let closed = false;
  function teardownNow() {
    if (closed) return;
    closed = true;
    try {
      // Drawn synchronously through the subscription: the closed model (stopped steps, the
      // summary) is the last frame unmount leaves, even inside a signal handler.
      store.close();
      instance.unmount();
    } catch {
      stream.write(`${SHOW_CURSOR}\n`);
    }
  }
  return {
    report(event) {
      if (closed) return;
      try {
        store.report(event);
      } catch {
        // A drawing problem must never fail the operation it draws.
      }
    },
    async close() {
      if (closed) return;
      teardownNow();
      signals.release();
      try {
        await instance.waitUntilExit();
      } catch {
        stream.write(SHOW_CURSOR);
      }
    },
  };
}

/**
 * ink registers signal-exit, whose SIGINT/SIGTERM handler re-raises the signal when it sees
 * no other listener. A command's `process.once` handler removes itself before signal-exit
 * runs, so signal-exit then kills the process half-way through the command's cleanup. We
 * take signal-exit's handlers for these two signals off (ink still unmounts on exit) and add
 * our own, first in line: if the command listens, it owns the signal and will close the
 * view; if nobody does, we restore the terminal and re-raise the signal ourselves.
 */
function stopSignalGuard(restoreTerminal: () => void): { arm: () => void; release: () => void } {
  const existing = new Map(
    STOP_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))] as const),
  );
  const onSignal = (signal: NodeJS.Signals) => {
    const others = process.listeners(signal).filter((listener) => listener !== onSignal);
    if (others.length > 0) return;
    restoreTerminal();
    release();
    process.kill(process.pid, signal);
  };
  let armed = false;
  const arm = () => {
    // Called right after render: what was added to these signals meanwhile is signal-exit's.
    for (const signal of STOP_SIGNALS) {
      for (const listener of process.listeners(signal))
        if (!existing.get(signal)?.has(listener)) process.removeListener(signal, listener);
      process.prependListener(signal, onSignal);
    }
    armed = true;
  };
  const release = () => {
    if (!armed) return;
    armed = false;
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
  };
  return { arm, release };
}
