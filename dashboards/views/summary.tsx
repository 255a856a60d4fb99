/** The closing line of a progress view: what happened to the steps, and how long it all took. */
import { Text } from 'ink';
import { formatStepDuration } from './format.js';
import type { ProgressSummary, RowState } from './progress-model.js';

const ORDER: readonly RowState[] = ['done', 'skipped', 'failed', 'stopped', 'running', 'pending'];

export function summaryText(summary: ProgressSummary): string {
  const counts = ORDER.filter((state) => summary.counts[state] > 0).map(
    (state) => `${summary.counts[state]} ${state}`,
  );
  return `${counts.length === 0 ? 'no steps' : counts.join(', ')} in ${formatStepDuration(summary.totalMs)}`;
}

export function Summary({ summary }: { summary: ProgressSummary }) {
  return (
    <Text bold color={summary.failed ? 'red' : summary.finished ? 'green' : 'yellow'}>
      {summaryText(summary)}
    </Text>
  );
}
