/**
 * Heals every recorded fault when the process is told to stop (SIGINT, SIGTERM, SIGHUP), so an
 * interrupted drill never leaves a partition behind. A SIGKILL cannot be caught: the journal
 * covers that case (`chaos heal`, or healAll at the start of the next drill).
 */
import type { FaultInjector, HealReport } from './types.js';

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
};

export interface HealOnExitOptions {
  signals?: readonly NodeJS.Signals[];
  /** Told what was healed before the process exits (e.g. to print it). */
  onHealed?: (report: HealReport, signal: NodeJS.Signals) => void;
  /** Injected for tests; default process.exit. */
  exit?: (code: number) => void;
}

/**
 * Installs the handlers; returns the function that removes them (call it once the faults are
 * healed normally). A second signal while healing exits at once.
 */
export function installHealOnExit(
  injector: FaultInjector,
  options: HealOnExitOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let healing = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = SIGNAL_EXIT_CODES[signal] ?? 130;
    if (healing) {
      exit(code);
      return;
    }
    healing = true;
    void injector
      .healAll()
      .then(
        (report) => options.onHealed?.(report, signal),
        (cause: unknown) => {
          process.stderr.write(`could not heal the recorded faults: ${String(cause)}\n`);
        },
      )
      .finally(() => {
        exit(code);
      });
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
