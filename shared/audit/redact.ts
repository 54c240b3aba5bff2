const SECRET_KEY = /pass(word|phrase)?|secret|token|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie/i;
const JWT = /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}\b/g;
const BEARER = /\bBearer\s+[\w.~+/-]+=*/gi;
const URL_PASSWORD = /(\b[a-z][\w+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;

/**
 * A copy of tool arguments safe to log and audit: values under secret-looking keys are replaced, and
 * tokens or passwords embedded in strings are masked. Depth and size are bounded.
 */
export function redactArguments(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  if (typeof value === 'string') return redactText(value.length > 2_000 ? `${value.slice(0, 2_000)}…` : value);
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => redactArguments(item, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? '[redacted]' : redactArguments(item, depth + 1)]),
    );
  }
  return value;
}

export function redactText(text: string): string {
  return text.replace(JWT, '[redacted-jwt]').replace(BEARER, 'Bearer [redacted]').replace(URL_PASSWORD, '$1[redacted]@');
}
