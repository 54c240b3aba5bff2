import { lookup } from './paths.js';

/**
 * `${…}` references in step arguments and expected values, resolved just before each attempt:
 *
 *   ${now}, ${now-15m}, ${now+1h}      the current time (RFC 3339), shifted by ms|s|m|h|d
 *   ${steps.<step>.<path>}            a value from an earlier step's result
 *   ${vars.<name>} or ${<name>}        a value an earlier step saved (`save:`)
 *   ${times.<step>}, ${times.<step>+3s} when an earlier step finished (RFC 3339), shifted
 *
 * A string that is exactly one reference takes the referenced value's type (a number stays a
 * number); references inside longer strings are interpolated.
 */

export interface TemplateContext {
  /** Results of the steps run so far, by step name. */
  steps: Record<string, unknown>;
  /** Variables saved by `save:`. */
  vars: Record<string, unknown>;
  /** When each step finished. */
  times: Record<string, Date>;
  now(): Date;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SHIFT = /^(.*?)\s*([+-])\s*(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const WHOLE = /^\$\{([^{}]+)\}$/;
const ANY = /\$\{([^{}]+)\}/g;

function toDate(value: unknown, reference: string): Date {
  const date = value instanceof Date ? value : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new TemplateError(`\${${reference}} is not a time: ${JSON.stringify(value)}`);
  return date;
}

function resolveReference(reference: string, context: TemplateContext): { found: true; value: unknown } | { found: false; why: string } {
  const name = reference.trim();
  if (name === 'now') return { found: true, value: context.now() };
  const [head, ...rest] = name.split('.');
  const tail = rest.join('.');
  if (head === 'times') {
    const time = context.times[tail];
    return time ? { found: true, value: time } : { found: false, why: `no step named ${tail} has finished` };
  }
  if (head === 'steps') {
    const stepName = Object.keys(context.steps)
      .filter((candidate) => tail === candidate || tail.startsWith(`${candidate}.`) || tail.startsWith(`${candidate}[`))
      .sort((a, b) => b.length - a.length)[0];
    if (stepName === undefined) return { found: false, why: `no step named ${tail.split(/[.[]/)[0]} has run` };
    const found = lookup(context.steps[stepName], tail.slice(stepName.length));
    return found.found ? found : { found: false, why: `step ${stepName}'s result has no ${found.missing}` };
  }
  const variables = head === 'vars' ? tail : name;
  const [variable, ...path] = variables.split('.');
  if (variable !== undefined && variable.split('[')[0]! in context.vars) {
    const base = variable.split('[')[0]!;
    const found = lookup(context.vars[base], `${variable.slice(base.length)}${path.length ? `.${path.join('.')}` : ''}`);
    return found.found ? found : { found: false, why: `variable ${base} has no ${found.missing}` };
  }
  return { found: false, why: `unknown variable ${variables} (saved: ${Object.keys(context.vars).join(', ') || 'none'})` };
}

/** The value of one `${…}` expression. Times come back as RFC 3339 strings. */
export function evaluateExpression(expression: string, context: TemplateContext): unknown {
  const direct = resolveReference(expression, context);
  if (direct.found) return direct.value instanceof Date ? direct.value.toISOString() : direct.value;
  const shift = SHIFT.exec(expression.trim());
  if (shift) {
    const [, base, sign, amount, unit] = shift;
    const resolved = resolveReference(base!, context);
    if (!resolved.found) throw new TemplateError(`\${${expression}}: ${resolved.why}`);
    const delta = Number(amount) * UNITS[unit!]! * (sign === '-' ? -1 : 1);
    return new Date(toDate(resolved.value, base!).getTime() + delta).toISOString();
  }
  throw new TemplateError(`\${${expression}}: ${direct.why}`);
}

/** Resolve every reference in a value (strings, arrays and objects, recursively). */
export function resolveTemplates<T>(value: T, context: TemplateContext): T {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return evaluateExpression(whole[1]!, context) as T;
    return value.replace(ANY, (_match, expression: string) => {
      const resolved = evaluateExpression(expression, context);
      return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item) => resolveTemplates(item, context)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveTemplates(item, context)])) as T;
  }
  return value;
}
