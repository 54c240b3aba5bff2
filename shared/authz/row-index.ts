/**
 * Which Casbin `p` rows could possibly match a caller. Casbin scans every row it is given (a few µs
 * each even when the first term fails), so with thousands of bindings the engine hands it only the
 * candidates: rows naming one of the caller's entitlements (else `subjectIn` fails), whose role holds
 * the requested action (else `g` fails) and whose scope covers the resource (else `resourceMatch`
 * fails). The excluded rows could never match, so the decision is unchanged; Casbin still evaluates
 * the matcher and the effect over every candidate. matcher-shape.ts checks that the model's matcher
 * really requires those terms before an index relies on them.
 */
import type { BindingDef, RoleDef } from './policy-files.js';

/** One Casbin `p` row: `[sub, res, role, eft, cond, binding]` (see policies/model.conf). */
export type Row = string[];

/**
 * Which rows Casbin is handed: `subject+action+scope` (the default), `subject+action`, `subject`
 * (every row naming one of the caller's entitlements) or `none` (every row). Same decisions; the
 * others are for benchmarks and equivalence tests.
 */
export type RowIndexMode = 'subject+action+scope' | 'subject+action' | 'subject' | 'none';

const MAX_CACHED_ENTITLEMENT_SETS = 10_000;
const NO_ROWS: Row[] = [];

/** The rows of one entitlement set whose role holds one action, grouped by scope. */
export class ActionCandidates {
  private readonly byScope = new Map<string, { positions: number[]; rows: Row[] }>();

  constructor(readonly rows: Row[]) {
    rows.forEach((row, position) => {
      const group = this.byScope.get(row[1]!) ?? { positions: [], rows: [] };
      group.positions.push(position);
      group.rows.push(row);
      this.byScope.set(row[1]!, group);
    });
  }

  /**
   * The candidates whose scope covers `path`, in policy order. A scope covers a path when it is
   * `*`, the path itself, or a prefix ending at a `/` (exactly `resourceMatch`), so those are the
   * only scopes looked up.
   */
  covering(path: string): Row[] {
    if (this.rows.length === 0) return NO_ROWS;
    let first: { positions: number[]; rows: Row[] } | undefined;
    let merged: number[] | undefined;
    const visit = (scope: string) => {
      const group = this.byScope.get(scope);
      if (!group) return;
      if (!first) first = group;
      else merged = (merged ?? [...first.positions]).concat(group.positions);
    };
    visit('*');
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) visit(path.slice(0, i));
    if (path !== '*') visit(path);
    if (!first) return NO_ROWS;
    if (!merged) return first.rows;
    return merged.sort((a, b) => a - b).map((position) => this.rows[position]!);
  }
}

interface EntitlementSetRows {
  rows: Row[];
  byAction: Map<string, ActionCandidates>;
}

/** Rows by entitlement, built once per policy version; subsets cached per entitlement set. */
export class RowIndex {
  private readonly rowIndexByEntitlement = new Map<string, number[]>();
  private readonly roleActions = new Map<string, ReadonlySet<string>>();
  private readonly subsetCache = new Map<string, EntitlementSetRows>();
  private readonly empty = new ActionCandidates([]);

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

  /** The bindings naming any of `entitlements` (and, given an action, whose role holds it), in policy order. */
  bindingsFor(entitlements: readonly string[], action?: string): BindingDef[] {
    const seen = new Set<string>();
    const out: BindingDef[] = [];
    for (const row of this.rowsFor(entitlements, action)) {
      const name = row[5]!;
      if (seen.has(name)) continue;
      seen.add(name);
      const def = this.bindingsByName.get(name);
      if (def) out.push(def);
    }
    return out;
  }

  /** The rows whose subject is one of `entitlements` (and, given an action, whose role holds it), in policy order. */
  rowsFor(entitlements: readonly string[], action?: string): Row[] {
    if (action !== undefined) return this.candidatesFor(entitlements, action).rows;
    return this.entitlementSet(entitlements)?.rows ?? NO_ROWS;
  }

  /** The rows whose subject is one of `entitlements` and whose role holds `action`. Cached for the life of this policy version. */
  candidatesFor(entitlements: readonly string[], action: string): ActionCandidates {
    const entry = this.entitlementSet(entitlements);
    if (!entry) return this.empty;
    let candidates = entry.byAction.get(action);
    if (!candidates) {
      candidates = new ActionCandidates(entry.rows.filter((row) => this.roleActions.get(row[2]!)?.has(action) ?? false));
      entry.byAction.set(action, candidates);
    }
    return candidates;
  }

  private entitlementSet(entitlements: readonly string[]): EntitlementSetRows | undefined {
    const present = entitlements.filter((e) => this.rowIndexByEntitlement.has(e));
    if (present.length === 0) return undefined;
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
    return entry;
  }
}
