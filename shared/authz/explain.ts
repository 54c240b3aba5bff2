/**
 * The one-sentence explanations decisions carry, for humans and LLMs: who, what, where, and which
 * binding decided — or, when nothing allowed, which conditional bindings nearly did and which roles would.
 */
import type { ConditionInput } from './conditions.js';
import type { BindingRef } from './decision.js';
import type { BindingDef } from './policy-files.js';
import { describePath, resourceMatch } from './resource-path.js';

/** `ns/acme [environment=production, isProduction=true]`: the path and the attributes the request carried. */
export function describeTarget(path: string, input: ConditionInput): string {
  const parts: string[] = [];
  if (input.environment !== undefined) parts.push(`environment=${input.environment}`);
  if (input.isProduction !== undefined) parts.push(`isProduction=${input.isProduction}`);
  if (input.componentType !== undefined) parts.push(`componentType=${input.componentType}`);
  return `${describePath(path)}${parts.length ? ` [${parts.join(', ')}]` : ''}`;
}

export function atScope(path: string): string {
  return path === '*' ? 'everywhere' : `at ${path}`;
}

function listOr(items: readonly string[], none: string): string {
  return items.length ? items.join(', ') : none;
}

function missingAttributes(binding: BindingDef | undefined, input: ConditionInput): string[] {
  return (binding?.condition?.needs ?? []).filter((key) => input[key] === undefined);
}

function conditionText(def: BindingDef | undefined): string {
  return def?.condition ? `, when ${def.condition.text}` : '';
}

export function explainUnknownAction(who: string, action: string, where: string): string {
  return `${who} may not ${action} on ${where}: '${action}' is not a catalogue action, so no role can grant it.`;
}

export function explainAllow(who: string, action: string, where: string, ref: BindingRef, def: BindingDef | undefined): string {
  return (
    `${who} may ${action} on ${where}: allowed by binding '${ref.name}' ` +
    `(role ${ref.role} ${atScope(ref.scope)} for ${ref.subject}${conditionText(def)}).`
  );
}

export function explainDeny(
  who: string,
  action: string,
  where: string,
  ref: BindingRef,
  def: BindingDef | undefined,
  input: ConditionInput,
): string {
  const missing = missingAttributes(def, input);
  const missingText = missing.length
    ? `; it applies because the request did not say ${missing.join(' or ')}, and a missing attribute never weakens a deny`
    : '';
  return (
    `${who} may not ${action} on ${where}: denied by binding '${ref.name}' ` +
    `(deny role ${ref.role} ${atScope(ref.scope)} for ${ref.subject}${conditionText(def)}${missingText}); ` +
    `a deny overrides every allow.`
  );
}

export function explainNoMatch(
  who: string,
  action: string,
  where: string,
  entitlements: readonly string[],
  path: string,
  input: ConditionInput,
  conditionalAllows: readonly BindingDef[],
  wouldAllow: readonly string[],
): string {
  const near = conditionalNearMisses(conditionalAllows, path, input);
  return (
    `${who} may not ${action} on ${where}: no binding grants it to ${entitlements.join(', ')}` +
    `${near}; roles that would: ${listOr(wouldAllow, 'none')}.`
  );
}

export function explainFailure(who: string, action: string, path: string, message: string): string {
  return `${who} may not ${action} on ${describePath(path)}: the policy could not be evaluated (${message}), so access is denied.`;
}

/**
 * Of the caller's conditional allow bindings holding the action (in policy order), those whose scope
 * covers the path: they would have granted it had their condition held (at most three are named).
 */
function conditionalNearMisses(conditionalAllows: readonly BindingDef[], path: string, input: ConditionInput): string {
  const notes: string[] = [];
  for (const b of conditionalAllows) {
    if (!b.condition || !resourceMatch(path, b.path)) continue;
    const missing = missingAttributes(b, input);
    notes.push(
      `binding '${b.name}' would, but only when ${b.condition.text}` +
        (missing.length ? ` and the request did not say ${missing.join(' or ')}` : ''),
    );
    if (notes.length === 3) break;
  }
  return notes.length ? ` (${notes.join('; ')})` : '';
}
