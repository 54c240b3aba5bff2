import type Database from 'better-sqlite3';
import { openSqliteDatabase } from '../sqlite/open-database.js';
import type { AuditEvent, AuditQuery, AuditStore } from './audit-event.js';

/** The audit table; idempotent, so both the standalone store and the control plane's migrations use it. */
export const SQLITE_AUDIT_SCHEMA = `
  CREATE TABLE IF NOT EXISTS audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    time TEXT NOT NULL,
    subject TEXT NOT NULL,
    tool TEXT NOT NULL,
    decision TEXT NOT NULL,
    event TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_events_subject ON audit_events (subject, seq);
  CREATE INDEX IF NOT EXISTS audit_events_tool ON audit_events (tool, seq);
`;

/**
 * The audit trail in SQLite (WAL; an event is committed when `append` returns). Given a file path it
 * owns its connection; given an open database (the control plane's resource store shares its file) it
 * uses that connection and `close()` leaves it open for its owner.
 */
export class SqliteAuditStore implements AuditStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly insert: Database.Statement;

  constructor(fileOrDatabase: string | Database.Database) {
    this.ownsDb = typeof fileOrDatabase === 'string';
    this.db = typeof fileOrDatabase === 'string' ? openSqliteDatabase(fileOrDatabase) : fileOrDatabase;
    this.db.exec(SQLITE_AUDIT_SCHEMA);
    this.insert = this.db.prepare(
      'INSERT INTO audit_events (id, time, subject, tool, decision, event) VALUES (@id, @time, @subject, @tool, @decision, @event)',
    );
  }

  async append(event: AuditEvent): Promise<void> {
    this.insert.run({
      id: event.id,
      time: event.time,
      subject: event.subject,
      tool: event.tool,
      decision: event.decision,
      event: JSON.stringify(event),
    });
  }

  async query(query: AuditQuery): Promise<AuditEvent[]> {
    const clauses: string[] = [];
    const params: Record<string, unknown> = { limit: query.limit };
    if (query.subject) {
      clauses.push('subject = @subject');
      params.subject = query.subject;
    }
    if (query.tool) {
      clauses.push('tool = @tool');
      params.tool = query.tool;
    }
    if (query.decision) {
      clauses.push('decision = @decision');
      params.decision = query.decision;
    }
    if (query.since) {
      clauses.push('time >= @since');
      params.since = query.since;
    }
    if (query.until) {
      clauses.push('time <= @until');
      params.until = query.until;
    }
    if (query.before) {
      clauses.push('seq < (SELECT seq FROM audit_events WHERE id = @before)');
      params.before = query.before;
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.db.prepare(`SELECT event FROM audit_events ${where} ORDER BY seq DESC LIMIT @limit`).all(params) as Array<{
      event: string;
    }>;
    return rows.map((row) => JSON.parse(row.event) as AuditEvent);
  }

  async close(): Promise<void> {
    if (this.ownsDb) this.db.close();
  }
}
