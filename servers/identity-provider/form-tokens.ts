import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Anti-CSRF tokens for the provider's own forms: an HMAC, under a persisted provider key, of what the
 * form acts on (the interaction, the person, the client). Only a page the provider rendered for that
 * person and action carries the right value, so a form posted from elsewhere is refused.
 */
export function formToken(key: string, ...parts: string[]): string {
  return createHmac('sha256', key).update(parts.join('\0')).digest('base64url');
}

/** Whether a posted token is the expected one (constant time). */
export function tokensMatch(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}
