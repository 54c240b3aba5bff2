import type { LogLevel } from '../../telemetry-backend.js';

const LEVEL_WORDS: Record<string, LogLevel> = {
  ERROR: 'ERROR',
  ERR: 'ERROR',
  FATAL: 'ERROR',
  CRITICAL: 'ERROR',
  CRIT: 'ERROR',
  PANIC: 'ERROR',
  DPANIC: 'ERROR',
  EMERG: 'ERROR',
  EMERGENCY: 'ERROR',
  ALERT: 'ERROR',
  SEVERE: 'ERROR',
  WARN: 'WARN',
  WARNING: 'WARN',
  INFO: 'INFO',
  INFORMATION: 'INFO',
  NOTICE: 'INFO',
  CONFIG: 'INFO',
  DEBUG: 'DEBUG',
  TRACE: 'DEBUG',
  VERBOSE: 'DEBUG',
  FINE: 'DEBUG',
  FINER: 'DEBUG',
  FINEST: 'DEBUG',
  SILLY: 'DEBUG',
};

/**
 * A log line's level: OTLP `severityNumber` (1–8 DEBUG, 9–12 INFO, 13–16 WARN, 17–24 ERROR; TRACE and
 * FATAL folded in), else `severityText`, else parsed from the text (a `level=`/`"level":` field, a klog
 * header, a bare level word), else INFO.
 */
export function logLevelOf(severityNumber: unknown, severityText: unknown, message: string): LogLevel {
  const n = Number(severityNumber);
  if (Number.isInteger(n) && n >= 1 && n <= 24) return n <= 8 ? 'DEBUG' : n <= 12 ? 'INFO' : n <= 16 ? 'WARN' : 'ERROR';
  const declaredText = typeof severityText === 'string' ? LEVEL_WORDS[severityText.trim().toUpperCase()] : undefined;
  if (declaredText) return declaredText;
  const field = /(?:^|[\s,{])"?(?:lvl|level|severity_?text|severity|levelname|@l)"?\s*[=:]\s*"?([a-z]+)/i.exec(message);
  if (field?.[1]) return LEVEL_WORDS[field[1].toUpperCase()] ?? 'INFO';
  const klog = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}/.exec(message);
  if (klog?.[1]) return ({ I: 'INFO', W: 'WARN', E: 'ERROR', F: 'ERROR' } as const)[klog[1] as 'I' | 'W' | 'E' | 'F'];
  const word = /\b(ERROR|FATAL|SEVERE|WARNING|WARN|INFO|DEBUG)\b(?!\s*=)/i.exec(message);
  if (word?.[1]) return LEVEL_WORDS[word[1].toUpperCase()] ?? 'INFO';
  return 'INFO';
}
