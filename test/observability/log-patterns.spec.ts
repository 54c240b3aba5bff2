import { describe, expect, it } from 'vitest';
import { groupIntoPatterns, patternOf } from '../../servers/observability-plane/tools/support/log-patterns.js';
import { sanitizeUntrustedText } from '../../servers/observability-plane/tools/support/untrusted-text.js';

describe('log patterns', () => {
  it('replaces ids, numbers, addresses and quoted values with placeholders', () => {
    expect(patternOf('GET /product/0PUK6V6EV0 200 12ms')).toBe('GET /product/<id> <n> <n>');
    expect(patternOf('order 7f3c1a2e-9b1d-4c2e-8f00-123456789abc failed after 3 retries')).toBe('order <uuid> failed after <n> retries');
    expect(patternOf('dial tcp 10.0.3.7:3550: connection refused')).toBe('dial tcp <ip>: connection refused');
    expect(patternOf('user "alice" not found')).toBe('user "<str>" not found');
    expect(patternOf('rpc error: code = Unavailable desc = connection refused productcatalog:3550')).toBe(
      'rpc error: code = Unavailable desc = connection refused productcatalog:<n>',
    );
  });

  it('groups lines by level and pattern, most frequent first, with components and times', () => {
    const line = (component: string, message: string, timestamp: string) => ({
      namespace: 'default',
      component,
      level: 'ERROR' as const,
      message,
      timestamp,
    });
    const patterns = groupIntoPatterns(
      [
        line('frontend', 'GET /product/AAAA11 503', '2026-01-01T00:00:02Z'),
        line('checkout', 'GET /product/BBBB22 503', '2026-01-01T00:00:01Z'),
        line('cart', 'redis timeout', '2026-01-01T00:00:03Z'),
      ],
      10,
    );
    expect(patterns[0]).toMatchObject({
      pattern: 'GET /product/<id> <n>',
      count: 2,
      components: ['checkout', 'frontend'],
      firstSeen: '2026-01-01T00:00:01Z',
      lastSeen: '2026-01-01T00:00:02Z',
    });
    expect(patterns[1]).toMatchObject({ pattern: 'redis timeout', count: 1 });
  });
});

describe('untrusted text', () => {
  it('strips invisible and bidirectional characters and redacts secrets', () => {
    const text = sanitizeUntrustedText(
      'ok\u202Eevil\u202C\u200B key=AKIAABCDEFGHIJKLMNOP password=hunter2 https://bob:pw123@db.local/x Bearer abc.def',
    );
    expect(text).not.toMatch(/[\u202A-\u202E\u200B]/);
    expect(text).not.toContain('AKIAABCDEFGHIJKLMNOP');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('pw123');
    expect(text).not.toContain('abc.def');
  });
});
