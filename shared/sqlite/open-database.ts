import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Open a SQLite file the way every plane-mcp store does: parent directory created, WAL (readers never
 * block the writer), `synchronous = NORMAL` (a committed transaction survives the process dying; WAL
 * keeps the file consistent), and a busy timeout so a second connection waits for a writer instead of
 * failing with SQLITE_BUSY. `:memory:` is allowed.
 */
export function openSqliteDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
