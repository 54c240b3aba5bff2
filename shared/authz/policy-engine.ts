/**
 * The shared authorization engine for both MCP servers: a Casbin RBAC/ABAC policy loaded from
 * `policies/` (model.conf + roles.yaml + bindings.yaml), behind one small façade.
 *
 * Casbin does the evaluation (decide.ts, subject-action.ts, casbin-evaluation.ts): one
 * `enforceExSync` call per decision, over the caller's candidate rows (row-index.ts), with all of the
 * subject's entitlements in the request; its outcomes are cached per policy version
 * (decision-cache.ts). List tools prepare a subject+action once and check each item
 * (prepared-check.ts). Each policy version is built whole (compile-policy.ts) and swapped in
 * atomically on reload (reload-queue.ts, policy-watcher.ts), which also drops its caches; every
 * operation reads one version.
 */
import type { PolicyLog } from './decision.js';
import type { Subject } from '../auth/subject.js';
import { capabilitiesOf, roleAssignmentsOf, type Capability, type RoleAssignment } from './capabilities.js';
import { compilePolicy, type ActionMatching, type CompiledPolicy, type CompileOptions } from './compile-policy.js';
import { decide, type DecideOptions } from './decide.js';
import { DEFAULT_DECISION_CACHE_SIZE } from './decision-cache.js';
import type { AccessRequest, Decision } from './decision.js';
import { checkGrant } from './escalation-check.js';
import { readPolicyDir } from './policy-files.js';
import { listBindings, listRoles, type BindingInfo, type RoleInfo } from './policy-listing.js';
import { prepareCheck, type PreparedCheck } from './prepared-check.js';
import { watchPolicyDir, type PolicyWatcher } from './policy-watcher.js';
import { PolicyReloadQueue } from './reload-queue.js';
import type { ResourceRef } from './resource-path.js';
import type { RowIndexMode } from './row-index.js';

export {
  DECISION_REASONS,
  type AccessAttributes,
  type AccessRequest,
  type BindingRef,
  type Decision,
  type DecisionReason,
} from './decision.js';
export type { Capability, RoleAssignment } from './capabilities.js';
export type { BindingInfo, RoleInfo } from './policy-listing.js';
export type { PreparedCheck } from './prepared-check.js';
export type { ResourceRef } from './resource-path.js';
export { InvalidResourceNameError } from './resource-path.js';
export { PolicyLoadError } from './policy-files.js';

export interface PolicyEngineOptions {
  /** Watch the policy directory and reload on change (debounced). */
  watch?: boolean;
  /** Called after every reload attempt: the version now in force, and the error if the reload failed. */
  onReload?: (version: number, err?: Error) => void;
  /** Loads and reloads (`info`), evaluation and reload failures (`warn`). */
  log?: PolicyLog;
  /** Debounce for the watcher, ms (default 150). */
  debounceMs?: number;
  /**
   * Which rows Casbin is handed (default `subject+action+scope`; see row-index.ts), at most: a
   * matcher that does not require a term gets a weaker index (matcher-shape.ts). Other settings are
   * for benchmarks and equivalence tests.
   */
  rowIndex?: RowIndexMode;
  /** How `g` resolves action wildcards (default `expand`; see compile-policy.ts). For benchmarks and equivalence tests. */
  actionMatching?: ActionMatching;
  /** Casbin outcomes cached per policy version (default 50,000; 0 turns the cache off). */
  decisionCacheSize?: number;
}

function compileOptionsOf(options: PolicyEngineOptions): CompileOptions {
  return {
    actionMatching: options.actionMatching ?? 'expand',
    rowIndex: options.rowIndex ?? 'subject+action+scope',
    decisionCacheSize: options.decisionCacheSize ?? DEFAULT_DECISION_CACHE_SIZE,
  };
}

export class PolicyEngine {
  private current: CompiledPolicy;
  private readonly reloads: PolicyReloadQueue;
  private watcher: PolicyWatcher | undefined;
  private readonly decideOptions: DecideOptions;

  private constructor(
    readonly policyDir: string,
    initial: CompiledPolicy,
    private readonly options: PolicyEngineOptions,
  ) {
    this.current = initial;
    this.decideOptions = { log: (msg, fields, level) => this.log(msg, fields, level) };
    this.reloads = new PolicyReloadQueue(
      policyDir,
      () => this.current,
      (compiled) => (this.current = compiled), // the atomic swap
      { compile: compileOptionsOf(options), onReload: options.onReload, log: (msg, fields, level) => this.log(msg, fields, level) },
    );
  }

  /** Loads and validates the policy directory. Rejects with `PolicyLoadError` if it is invalid. */
  static async load(policyDir: string, options: PolicyEngineOptions = {}): Promise<PolicyEngine> {
    const source = await readPolicyDir(policyDir);
    const compiled = await compilePolicy(source, 1, compileOptionsOf(options));
    const engine = new PolicyEngine(policyDir, compiled, options);
    engine.log('authz policy loaded', {
      version: 1,
      roles: source.roles.size,
      bindings: source.bindings.length,
      hash: source.hash.slice(0, 12),
      rowIndex: compiled.rowIndex,
    });
    if (options.watch) {
      engine.watcher = watchPolicyDir(
        policyDir,
        options.debounceMs ?? 150,
        () => void engine.reloads.enqueue(false),
        engine.decideOptions.log,
      );
    }
    return engine;
  }

  get version(): number {
    return this.current.version;
  }

  /** The error of the last failed reload, cleared by the next successful one. */
  get lastError(): Error | undefined {
    return this.reloads.lastError;
  }

  /**
   * One authorization decision, evaluated by Casbin over all of the subject's entitlements at once.
   * Throws `InvalidResourceNameError` if a resource name is not a DNS-1123 label (never widened).
   */
  decide(request: AccessRequest): Decision {
    return decide(this.current, request, this.decideOptions);
  }

  /**
   * `decide(...).allowed` for one subject and action over many resources (list filtering): the
   * subject, action and candidate rows are resolved once, each resource then costs a cache lookup
   * or one Casbin evaluation over the rows that cover it. Uses the policy version in force now for
   * as long as it is kept (one list sees one version).
   */
  prepare(subject: Subject, action: string): PreparedCheck {
    return prepareCheck(this.current, subject, action, this.decideOptions);
  }

  /** The actions this subject could be allowed somewhere, with the scopes that could grant each (see capabilities.ts). */
  capabilities(subject: Subject): Capability[] {
    return capabilitiesOf(this.current, subject);
  }

  /** The bindings that name this subject, in policy order, except those whose condition can never hold for it. */
  rolesOf(subject: Subject): RoleAssignment[] {
    return roleAssignmentsOf(this.current, subject);
  }

  /** Escalation check for creating a role binding (see escalation-check.ts). */
  checkGrant(granter: Subject, role: string, scope: ResourceRef): Decision {
    const policy = this.current; // one version for the whole check
    return checkGrant(policy, (request) => decide(policy, request, this.decideOptions), granter, role, scope);
  }

  /** The roles in force (for listing tools). */
  roles(): RoleInfo[] {
    return listRoles(this.current);
  }

  /** The bindings in force (for listing tools). */
  bindings(): BindingInfo[] {
    return listBindings(this.current);
  }

  /**
   * Rebuilds the policy from a full snapshot of the directory, validates it, and swaps it in
   * atomically with a new version. On error the last good policy stays in force, the error is
   * reported (onReload, log, `lastError`) and the promise still resolves.
   */
  reload(): Promise<void> {
    return this.reloads.enqueue(true);
  }

  /** Stops watching. Decisions keep working on the policy in force. */
  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private log(msg: string, fields?: object, level?: 'info' | 'warn'): void {
    this.options.log?.(msg, fields, level);
  }
}
