/**
 * Paths into results: dotted keys with `[n]` indexes (`[-1]` is the last element), e.g.
 * `traces[0].traceId`, `binding.status.readyReplicas`. Keys may contain `-` (`steps.find-trace`).
 * The empty path is the value itself.
 */

export type PathSegment = string | number;

export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const pattern = /([^.[\]]+)|\[(-?\d+)\]/g;
  const trimmed = path.trim();
  if (trimmed === '' || trimmed === '.') return segments;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    const between = trimmed.slice(consumed, match.index);
    if (!/^\.?$/.test(between)) throw new Error(`bad path ${JSON.stringify(path)} near ${JSON.stringify(between)}`);
    segments.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
    consumed = match.index + match[0].length;
  }
  if (consumed !== trimmed.length) throw new Error(`bad path ${JSON.stringify(path)}`);
  return segments;
}

/** The value at `path`, or `{found: false}` naming the first segment that was missing. */
export function lookup(value: unknown, path: string | PathSegment[]): { found: true; value: unknown } | { found: false; missing: string } {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  let current = value;
  const walked: string[] = [];
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return { found: false, missing: `${walked.join('')}[${segment}] (not an array)` };
      const index = segment < 0 ? current.length + segment : segment;
      if (index < 0 || index >= current.length)
        return { found: false, missing: `${walked.join('')}[${segment}] (array has ${current.length})` };
      current = current[index];
      walked.push(`[${segment}]`);
    } else {
      if (current === null || typeof current !== 'object' || !(segment in current)) {
        return { found: false, missing: `${walked.join('')}${walked.length ? '.' : ''}${segment}` };
      }
      current = (current as Record<string, unknown>)[segment];
      walked.push(`${walked.length ? '.' : ''}${segment}`);
    }
  }
  return { found: true, value: current };
}
