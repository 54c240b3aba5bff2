/**
 * Which Casbin `p` rows could possibly match a caller. Casbin scans every row it is given (~3 µs
 * each even when the first term fails), so with thousands of bindings the engine hands it only the
 * candidates: rows naming one of the caller's entitlements (else `subjectIn` fails) whose role holds
 * the requested action (else `g` fails). The excluded rows could never match, so the decision is
 * unchanged; Casbin still evaluates the matcher and the effect over every candidate.
 */
import type { BindingDef, RoleDef } from './policy-files.js';

/** One Casbin `p` row: `[sub, res, role, eft, cond, binding]` (see policies/model.conf). */
export type Row = string[];

/**
 * Which rows Casbin is handed: `subject+action` (the default), `subject` (every row naming one of
 * the caller's entitlements) or `none` (every row). Same decisions; the others are for benchmarks
 * and equivalence tests.
 */
export type RowIndexMode = 'subject+action' | 'subject' | 'none';

const MAX_CACHED_ENTITLEMENT_SETS = 10_000;

interface EntitlementSetRows {
  rows: Row[];
  byAction: Map<string, Row[]>;
}

/** Rows by entitlement, built once per policy version; subsets cached per entitlement set. */
export class RowIndex {
  private readonly rowIndexByEntitlement = new Map<string, number[]>();
  private readonly roleActions = new Map<string, ReadonlySet<string>>();
  private readonly subsetCache = new Map<string, EntitlementSetRows>();

  constructor(
    readonly rows: readonly Row[],
    roles: ReadonlyMap<string, RoleDef>,
    private readonly bindingsByName: ReadonlyMap<string, BindingDef>,
  ) {
    rows.forEach((row, i) => {
      const list = this.rowIndexByEntitlement.get(row[0]!) ?? [];
      list.push(i);
      this.rowIndexByEntitlement.set(row[0]!, list);
    });
    for (const role of roles.values()) this.roleActions.set(role.name, new Set(role.expanded));
  }

  /** The bindings naming any of `entitlements`, in policy order. */
  bindingsFor(entitlements: readonly string[]): BindingDef[] {
    const seen = new Set<string>();
    const out: BindingDef[] = [];
    for (const row of this.rowsFor(entitlements)) {
      const name = row[5]!;
      if (seen.has(name)) continue;
      seen.add(name);
      const def = this.bindingsByName.get(name);
      if (def) out.push(def);
    }
    return out;
  }

  /**
   * The rows whose subject is one of `entitlements` (and, given an action, whose role holds it), in
   * policy order. Cached per entitlement set for the life of this policy version.
   */
  rowsFor(entitlements: readonly string[], action?: string): Row[] {
    const present = entitlements.filter((e) => this.rowIndexByEntitlement.has(e));
    if (present.length === 0) return [];
    const key = present.join('\u0000');
    let entry = this.subsetCache.get(key);
    if (!entry) {
      const indices = new Set<number>();
      for (const e of present) for (const i of this.rowIndexByEntitlement.get(e)!) indices.add(i);
      const rows = [...indices].sort((a, b) => a - b).map((i) => this.rows[i]!);
      if (this.subsetCache.size >= MAX_CACHED_ENTITLEMENT_SETS) {
        const oldest = this.subsetCache.keys().next().value;
        if (oldest !== undefined) this.subsetCache.delete(oldest);
      }
      entry = { rows, byAction: new Map() };
      this.subsetCache.set(key, entry);
    }
    if (action === undefined) return entry.rows;
    let rows = entry.byAction.get(action);
    if (!rows) {
      rows = entry.rows.filter((row) => this.roleActions.get(row[2]!)?.has(action) ?? false);
      entry.byAction.set(action, rows);
    }
    return rows;
  }
}
