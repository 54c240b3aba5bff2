import type Database from 'better-sqlite3';
import type { RetentionResult } from './records.js';
import type { StoreStatements } from './statements.js';

const RETENTION_BATCH = 10_000;

/** Deletes everything older than `cutoffMs` (epoch ms), in batches, then the metric series left without samples. */
export function deleteOlderThan(statements: StoreStatements, cutoffMs: number): RetentionResult {
  const cutoffUs = cutoffMs * 1000;
  const drain = (statement: Database.Statement): number => {
    let total = 0;
    for (;;) {
      const { changes } = statement.run({ cutoffUs, cutoffMs, batch: RETENTION_BATCH });
      total += changes;
      if (changes < RETENTION_BATCH) return total;
    }
  };
  const result: RetentionResult = {
    logs: drain(statements.expireLogs),
    workflowLogs: drain(statements.expireWorkflowLogs),
    spans: drain(statements.expireSpans),
    samples: drain(statements.expireSamples),
    series: 0,
  };
  if (result.samples > 0) result.series = statements.expireSeries.run().changes;
  return result;
}

/**
 * Refreshes the query planner's statistics where they are stale (`PRAGMA optimize`, all tables): with
 * several indexes per table the planner needs them to pick the scope index. Runs at start-up and after
 * every retention sweep; cheap when nothing changed.
 */
export function optimizeStatistics(db: Database.Database): void {
  db.pragma('optimize=0x10002');
}
