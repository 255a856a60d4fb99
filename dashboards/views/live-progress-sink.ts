/**
 * The terminal sink without paying for ink up front: ink and React take from a few hundred
 * ms to seconds to load, so they are imported only when a live view is wanted, and events
 * that arrive meanwhile are kept (a run of detail updates to one step collapses to its last).
 */
import type { ProgressEvent } from '../../core/progress.js';
import type { InkProgressOptions } from './ink-progress-sink.js';
import { createLineProgressSink, type ClosableProgressSink } from './line-progress-sink.js';

export function createLiveProgressSink(
  stream: NodeJS.WriteStream,
  options: InkProgressOptions = {},
  load: () => Promise<ClosableProgressSink> = async () =>
    (await import('./ink-progress-sink.js')).createInkProgressSink(stream, options),
): ClosableProgressSink {
  const waiting: ProgressEvent[] = [];
  let sink: ClosableProgressSink | undefined;
  let closing = false;
  const ready = load()
    .catch(() => createLineProgressSink(stream, options.clock))
    .then((loaded) => {
      sink = loaded;
      for (const event of waiting.splice(0)) loaded.report(event);
      return loaded;
    });
  return {
    report(event) {
      if (closing) return;
      if (sink !== undefined) {
        sink.report(event);
        return;
      }
      const last = waiting.at(-1);
      if (last?.step === event.step && last.state === event.state)
        waiting[waiting.length - 1] = event;
      else waiting.push(event);
    },
    async close() {
      closing = true;
      await (await ready).close();
    },
  };
}
