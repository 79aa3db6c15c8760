import { progressLine } from '../domain/progress.js';
import type { ReplayProgress } from '../replay/replayer.js';

/**
 * Progress on stderr: on a terminal one line redrawn in place; otherwise (logs, CI) a plain line
 * every `everyMs`.
 */
export function progressReporter(
  stream: NodeJS.WriteStream = process.stderr,
  everyMs = 5000,
): { update: (p: ReplayProgress) => void; done: () => void } {
  let lastPrint = 0;
  let drawn = false;
  return {
    update: (p) => {
      const line = progressLine({ ...p, elapsedMs: Date.now() - p.startedAt });
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (Date.now() - lastPrint >= everyMs) {
        lastPrint = Date.now();
        stream.write(`${line}\n`);
      }
    },
    done: () => {
      if (drawn) stream.write('\n');
    },
  };
}
