/** One field a mutation touched, before and after. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** The fields among `paths` (dotted) whose values differ between two objects. */
export function changedFields(before: unknown, after: unknown, paths: readonly string[]): FieldChange[] {
  return paths
    .map((field) => ({ field, before: at(before, field), after: at(after, field) }))
    .filter((change) => JSON.stringify(change.before) !== JSON.stringify(change.after));
}

function at(value: unknown, path: string): unknown {
  return (
    path
      .split('.')
      .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), value) ??
    null
  );
}
