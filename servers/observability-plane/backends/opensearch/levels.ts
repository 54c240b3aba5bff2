import type { LogLevel } from '../telemetry-backend.js';

/**
 * Log levels. A document's level keyword wins when it holds a known spelling (any case); otherwise the
 * level is derived from the message text. The derivation and the query filter are built from the SAME
 * regular expressions (Lucene `regexp` in the query, JavaScript RegExp here), so filtering by a level
 * returns exactly the lines that come back labelled with it; OpenChoreo's adapter filtered by a substring
 * but labelled by a parser, so the two disagreed (reference §2.5, §8.4 #4).
 *
 * Derivation, first match wins (like the reference's parser, minus the klog header):
 *   1. a declared field: `level=warn`, `"level":"error"`, `lvl: debug`, `severity=ERR` … (keys level,
 *      lvl, severity; `=` or `:` with optional quotes and spaces), checked ERROR, WARN, INFO, DEBUG;
 *   2. a bare word anywhere: error/fatal/panic/critical/severe, warn(ing), info, debug, in that order;
 *   3. INFO.
 * The regexps are constants (no caller text), matched case-insensitively.
 */
export const LEVEL_ORDER: readonly LogLevel[] = ['ERROR', 'WARN', 'INFO', 'DEBUG'];
const DEFAULT_LEVEL: LogLevel = 'INFO';

/** Spellings of a level keyword (compared case-insensitively). */
const KEYWORD_ALIASES: Record<LogLevel, readonly string[]> = {
  ERROR: ['error', 'err', 'fatal', 'critical', 'crit', 'panic', 'dpanic', 'severe', 'emerg', 'emergency', 'alert'],
  WARN: ['warn', 'warning'],
  INFO: ['info', 'information', 'notice'],
  DEBUG: ['debug', 'trace', 'verbose', 'fine', 'finer', 'finest'],
};

/** Declared-field values: prefixes (`err` covers `error`, `warn` covers `warning`, `crit` covers `critical`). */
const DECLARED_VALUES: Record<LogLevel, readonly string[]> = {
  ERROR: ['err', 'fatal', 'crit', 'panic', 'severe', 'emerg'],
  WARN: ['warn'],
  INFO: ['info', 'notice'],
  DEBUG: ['debug', 'trace'],
};

/** Bare words (substrings). `trace` is not one: trace ids are everywhere in log lines. */
const BARE_WORDS: Record<LogLevel, readonly string[]> = {
  ERROR: ['error', 'fatal', 'panic', 'critical', 'severe'],
  WARN: ['warn'],
  INFO: ['info'],
  DEBUG: ['debug'],
};

const DECLARED_KEYS = ['level', 'lvl', 'severity'];

/** Lucene regexp (anchored, `.` matches anything) and the equivalent unanchored JS RegExp. */
interface Pattern {
  lucene: string;
  js: RegExp;
}

function declaredPattern(level: LogLevel): Pattern {
  const keys = DECLARED_KEYS.join('|');
  const values = DECLARED_VALUES[level].join('|');
  // `"` is reserved in Lucene regexp syntax, hence `\"` there.
  return {
    lucene: `.*(${keys})\\"?[ ]*[=:][ ]*\\"?(${values}).*`,
    js: new RegExp(`(${keys})"?[ ]*[=:][ ]*"?(${values})`, 'is'),
  };
}

function barePattern(level: LogLevel): Pattern {
  const words = BARE_WORDS[level].join('|');
  return { lucene: `.*(${words}).*`, js: new RegExp(`(${words})`, 'is') };
}

const DECLARED = Object.fromEntries(LEVEL_ORDER.map((level) => [level, declaredPattern(level)])) as Record<LogLevel, Pattern>;
const BARE = Object.fromEntries(LEVEL_ORDER.map((level) => [level, barePattern(level)])) as Record<LogLevel, Pattern>;
const ALIAS_TO_LEVEL = new Map<string, LogLevel>(
  LEVEL_ORDER.flatMap((level) => KEYWORD_ALIASES[level].map((alias) => [alias, level] as const)),
);

/** A level keyword as one of ours, or undefined when absent or unknown. */
export function normalizeLevel(value: unknown): LogLevel | undefined {
  if (typeof value !== 'string') return undefined;
  return ALIAS_TO_LEVEL.get(value.trim().toLowerCase());
}

/** The level of a message without a (known) level keyword. */
export function deriveLevel(message: string): LogLevel {
  for (const level of LEVEL_ORDER) if (DECLARED[level].js.test(message)) return level;
  for (const level of LEVEL_ORDER) if (BARE[level].js.test(message)) return level;
  return DEFAULT_LEVEL;
}

export function levelOf(keyword: unknown, message: string): LogLevel {
  return normalizeLevel(keyword) ?? deriveLevel(message);
}

type Query = Record<string, unknown>;

/**
 * Letters as `[xX]` classes: OpenSearch 2.x ignores `case_insensitive` for `regexp` on `wildcard` fields
 * (the message field's type), so the pattern itself is made case-insensitive. Our patterns have no
 * letters inside classes or escapes, so a plain replacement is exact.
 */
function caseless(pattern: string): string {
  return pattern.replace(/[a-z]/gi, (letter) => `[${letter.toLowerCase()}${letter.toUpperCase()}]`);
}

function regexp(field: string, pattern: string): Query {
  // flags NONE: only the core syntax (no `&`, `~`, `<>`, `#`, `@` operators).
  return { regexp: { [field]: { value: caseless(pattern), flags: 'NONE', case_insensitive: true, max_determinized_states: 20_000 } } };
}

function not(query: Query): Query {
  return { bool: { must_not: [query] } };
}

function and(...queries: Query[]): Query {
  return { bool: { filter: queries } };
}

function or(...queries: Query[]): Query {
  return { bool: { should: queries, minimum_should_match: 1 } };
}

function keywordAliasesRegexp(levels: readonly LogLevel[]): string {
  return `(${levels.flatMap((level) => KEYWORD_ALIASES[level]).join('|')})`;
}

/** The text rule of `deriveLevel` for one level, as a query on the message field. */
function textClassQuery(messageField: string, level: LogLevel): Query {
  const index = LEVEL_ORDER.indexOf(level);
  const before = LEVEL_ORDER.slice(0, index);
  const declared = (l: LogLevel) => regexp(messageField, DECLARED[l].lucene);
  const bare = (l: LogLevel) => regexp(messageField, BARE[l].lucene);
  const noDeclared = LEVEL_ORDER.map((l) => not(declared(l)));
  const branches: Query[] = [
    and(...before.map((l) => not(declared(l))), declared(level)),
    and(...noDeclared, ...before.map((l) => not(bare(l))), bare(level)),
  ];
  if (level === DEFAULT_LEVEL) branches.push(and(...noDeclared, ...LEVEL_ORDER.map((l) => not(bare(l)))));
  return or(...branches);
}

/** Lines whose level (keyword when known, else derived from the text) is one of `levels`. */
export function levelFilterQuery(levelField: string, messageField: string, levels: readonly LogLevel[]): Query {
  const wanted = LEVEL_ORDER.filter((level) => levels.includes(level));
  const knownKeyword = regexp(levelField, keywordAliasesRegexp(LEVEL_ORDER));
  return or(
    regexp(levelField, keywordAliasesRegexp(wanted)),
    and(not(knownKeyword), or(...wanted.map((level) => textClassQuery(messageField, level)))),
  );
}
