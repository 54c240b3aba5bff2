import type { Pool } from 'pg';
import type { AuditEvent, AuditQuery, AuditStore } from './audit-event.js';

/**
 * The audit table in PostgreSQL; idempotent. The event is kept as `json` text (not `jsonb`, which
 * refuses `\u0000` in strings: an argument a caller sent must never make the audit append fail).
 */
export const POSTGRES_AUDIT_SCHEMA = `
  CREATE TABLE IF NOT EXISTS audit_events (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    time TIMESTAMPTZ NOT NULL,
    subject TEXT NOT NULL,
    tool TEXT NOT NULL,
    decision TEXT NOT NULL,
    event JSON NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_events_subject ON audit_events (subject, seq);
  CREATE INDEX IF NOT EXISTS audit_events_tool ON audit_events (tool, seq);
`;

export interface PostgresAuditStoreOptions {
  /** End the pool on `close()` (default false: the pool belongs to whoever created it). */
  ownsPool?: boolean;
}

/**
 * The audit trail in PostgreSQL (same behaviour as `SqliteAuditStore`): an event is committed when
 * `append` returns; `query` returns newest first. The table must exist (`POSTGRES_AUDIT_SCHEMA`, applied
 * by the control plane's migrations).
 */
export class PostgresAuditStore implements AuditStore {
  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresAuditStoreOptions = {},
  ) {}

  async append(event: AuditEvent): Promise<void> {
    await this.pool.query('INSERT INTO audit_events (id, time, subject, tool, decision, event) VALUES ($1, $2, $3, $4, $5, $6)', [
      event.id,
      event.time,
      event.subject,
      event.tool,
      event.decision,
      JSON.stringify(event),
    ]);
  }

  async query(query: AuditQuery): Promise<AuditEvent[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (query.subject) clauses.push(`subject = ${param(query.subject)}`);
    if (query.tool) clauses.push(`tool = ${param(query.tool)}`);
    if (query.decision) clauses.push(`decision = ${param(query.decision)}`);
    if (query.since) clauses.push(`time >= ${param(query.since)}`);
    if (query.until) clauses.push(`time <= ${param(query.until)}`);
    if (query.before) clauses.push(`seq < (SELECT seq FROM audit_events WHERE id = ${param(query.before)})`);
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const result = await this.pool.query<{ event: string }>(
      `SELECT event::text AS event FROM audit_events ${where} ORDER BY seq DESC LIMIT ${param(query.limit)}`,
      params,
    );
    return result.rows.map((row) => JSON.parse(row.event) as AuditEvent);
  }

  async close(): Promise<void> {
    if (this.options.ownsPool) await this.pool.end();
  }
}
