import { redactText } from '../../../../shared/audit/redact.js';

/**
 * Zero-width, bidirectional-override and other invisible format characters (Unicode category Cf)
 * plus C0/C1 controls other than tab and newline: they can hide instructions from a human reviewer
 * while a model still reads them.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]/g;

const SECRETS: Array<[RegExp, string]> = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted-aws-key]'],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, '[redacted-token]'],
  [/\b(sk|pk|rk)_(live|test)_[A-Za-z0-9]{10,}\b/g, '[redacted-token]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted-private-key]'],
  [
    /\b((?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|client[_-]?secret)\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi,
    '$1[redacted]',
  ],
];

/** Log and span text is written by workloads, i.e. by anyone: strip what hides, mask what leaks. */
export function sanitizeUntrustedText(text: string, maxLength = 2_000): string {
  let clean = text.replace(INVISIBLE, '');
  for (const [pattern, replacement] of SECRETS) clean = clean.replace(pattern, replacement);
  clean = redactText(clean);
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}… [truncated]` : clean;
}
