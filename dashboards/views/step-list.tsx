/** Rows of steps: a spinner while running, ✔ ✖ ↷ ■ when done, failed, skipped, stopped. */
import { Box, Text } from 'ink';
import { formatStepDuration, STATE_MARKS } from './format.js';
import { stepDurationMs, type RowState, type StepRow } from './progress-model.js';
import { Spinner } from './spinner.js';

const STATE_COLORS: Record<RowState, string> = {
  pending: 'gray',
  running: 'cyan',
  done: 'green',
  failed: 'red',
  skipped: 'yellow',
  stopped: 'magenta',
};

export interface StepListProps {
  rows: readonly StepRow[];
  nowMs: number;
}

export function StepList({ rows, nowMs }: StepListProps) {
  return (
    <Box flexDirection="column">
      {rows.map((row) => (
        <StepLine key={row.step} row={row} nowMs={nowMs} />
      ))}
    </Box>
  );
}

function StepLine({ row, nowMs }: { row: StepRow; nowMs: number }) {
  const duration = stepDurationMs(row, nowMs);
  return (
    <Box>
      <Box width={2} flexShrink={0}>
        {row.state === 'running' ? (
          <Spinner />
        ) : (
          <Text color={STATE_COLORS[row.state]}>{STATE_MARKS[row.state]}</Text>
        )}
      </Box>
      <Box flexShrink={0}>
        <Text {...(row.state === 'pending' && { dimColor: true })}>{row.label}</Text>
      </Box>
      {row.detail !== undefined && row.detail !== '' && (
        <Box marginLeft={2} flexShrink={1}>
          <Text color={row.state === 'failed' ? 'red' : 'gray'} wrap="truncate-end">
            {row.detail}
          </Text>
        </Box>
      )}
      {duration !== undefined && (
        <Box marginLeft={2} flexShrink={0}>
          <Text dimColor>{formatStepDuration(duration)}</Text>
        </Box>
      )}
    </Box>
  );
}
