import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../shared/telemetry/logger.js';
import type { LogLine, SpanDetails } from '../observability-plane/backends/telemetry-backend.js';
import type { PodSample, TelemetryWriter } from '../observability-plane/backends/telemetry-writer.js';

/**
 * What one tick emits, written in one go at the end of the tick: at most a few requests per signal,
 * each under the OTLP receiver's item cap. A failed write (the receiver's rate limit, a backend that
 * is down) is retried twice with back-off, then dropped with a warning: the simulation never stops
 * or piles up memory because telemetry cannot be delivered.
 */
export class TelemetryBatch {
  logs: LogLine[] = [];
  spans: SpanDetails[] = [];
  samples: PodSample[] = [];

  get size(): number {
    return this.logs.length + this.spans.length + this.samples.length;
  }
}

/** Items per write request (well below the receiver's 10,000 and its 4 MiB body). */
const CHUNK = 2000;
const RETRY_DELAYS_MS = [250, 1000];

export class TelemetryFlusher {
  private dropped = 0;
  private lastWarning = 0;

  constructor(
    private readonly writer: TelemetryWriter,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async flush(batch: TelemetryBatch): Promise<void> {
    await this.write('logs', batch.logs, (items) => this.writer.writeLogs(items));
    await this.write('spans', batch.spans, (items) => this.writer.writeSpans(items));
    await this.write('metrics', batch.samples, (items) => this.writer.writePodSamples(items));
  }

  private async write<T>(signal: string, items: readonly T[], send: (items: readonly T[]) => Promise<void>): Promise<void> {
    for (let offset = 0; offset < items.length; offset += CHUNK) {
      const chunk = items.slice(offset, offset + CHUNK);
      let lastError: unknown;
      for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
        if (attempt > 0) await sleep(RETRY_DELAYS_MS[attempt - 1]!);
        try {
          await send(chunk);
          lastError = undefined;
          break;
        } catch (error) {
          lastError = error;
        }
      }
      if (lastError !== undefined) this.drop(signal, chunk.length, lastError);
    }
  }

  private drop(signal: string, count: number, error: unknown): void {
    this.dropped += count;
    const now = Date.now();
    if (now - this.lastWarning < 30_000) return;
    this.lastWarning = now;
    this.logger.warn(
      { err: error, signal, droppedSinceLastWarning: this.dropped },
      'demo data plane: telemetry could not be written; dropped it',
    );
    this.dropped = 0;
  }
}
