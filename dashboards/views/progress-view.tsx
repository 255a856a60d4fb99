/** The whole progress view: the step list, and the summary once the work is over. */
import { Box } from 'ink';
import { useEffect, useState } from 'react';
import type { Clock } from '../../core/ports.js';
import { clockMs, summarize, type ProgressModel } from './progress-model.js';
import { StepList } from './step-list.js';
import { Summary } from './summary.js';

export interface ProgressViewProps {
  model: ProgressModel;
  clock: Clock;
  /** How often running durations are redrawn. */
  tickMs?: number;
}

export function ProgressView({ model, clock, tickMs = 100 }: ProgressViewProps) {
  const running = model.rows.some((row) => row.state === 'running');
  const nowMs = useTicker(clock, running ? tickMs : undefined);
  const shownAtMs = model.closedAtMs ?? nowMs;
  return (
    <Box flexDirection="column">
      <StepList rows={model.rows} nowMs={shownAtMs} />
      {model.closedAtMs !== undefined && <Summary summary={summarize(model, shownAtMs)} />}
    </Box>
  );
}

/** The clock's time, re-read every `intervalMs` while given (only while something runs). */
function useTicker(clock: Clock, intervalMs: number | undefined): number {
  const [nowMs, setNowMs] = useState(() => clockMs(clock));
  useEffect(() => {
    setNowMs(clockMs(clock));
    if (intervalMs === undefined) return;
    const timer = setInterval(() => {
      setNowMs(clockMs(clock));
    }, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  }, [clock, intervalMs]);
  return nowMs;
}
