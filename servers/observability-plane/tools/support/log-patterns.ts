import type { LogLevel, LogLine } from '../../backends/telemetry-backend.js';

export interface LogPattern {
  pattern: string;
  count: number;
  level?: LogLevel;
  components: string[];
  firstSeen: string;
  lastSeen: string;
  example: string;
}

/** Replace the variable parts of a message (ids, numbers, addresses, quoted values) with placeholders. */
export function patternOf(message: string): string {
  return message
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?\b/g, '<time>')
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<ip>')
    .replace(/\b[0-9a-f]{16,}\b/gi, '<hex>')
    .replace(/\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{6,}\b/g, '<id>')
    .replace(/"[^"]*"/g, '"<str>"')
    .replace(/'[^']*'/g, "'<str>'")
    .replace(/\b\d+(\.\d+)?(ms|s|m|h|%|b|kb|mb|gb)?\b/gi, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Group lines by pattern, most frequent first. Lines must already be sanitized. */
export function groupIntoPatterns(lines: LogLine[], limit: number): LogPattern[] {
  const groups = new Map<string, LogPattern & { componentSet: Set<string> }>();
  for (const line of lines) {
    const pattern = patternOf(line.message);
    const key = `${line.level ?? ''}|${pattern}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        pattern,
        count: 0,
        ...(line.level ? { level: line.level } : {}),
        components: [],
        componentSet: new Set(),
        firstSeen: line.timestamp,
        lastSeen: line.timestamp,
        example: line.message,
      };
      groups.set(key, group);
    }
    group.count++;
    if (line.component) group.componentSet.add(line.component);
    if (line.timestamp < group.firstSeen) group.firstSeen = line.timestamp;
    if (line.timestamp > group.lastSeen) group.lastSeen = line.timestamp;
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern))
    .slice(0, limit)
    .map(({ componentSet, ...group }) => ({ ...group, components: [...componentSet].sort() }));
}
