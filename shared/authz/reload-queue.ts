/**
 * Serialised policy reloads: each reload rebuilds the policy from a full snapshot of the directory,
 * validates it and swaps it in whole with the next version number. On error the last good policy
 * stays in force, the error is reported (onReload, log, `lastError`) and the reload still resolves.
 */
import type { PolicyLog } from './decision.js';
import { compilePolicy, type CompiledPolicy, type CompileOptions } from './compile-policy.js';
import { readPolicyDir } from './policy-files.js';

export interface ReloadQueueOptions {
  compile: CompileOptions;
  /** Called after every reload attempt: the version now in force, and the error if the reload failed. */
  onReload?: ((version: number, err?: Error) => void) | undefined;
  log: PolicyLog;
}

export class PolicyReloadQueue {
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly policyDir: string,
    private readonly current: () => CompiledPolicy,
    /** Puts a new version in force; must be one synchronous assignment (the atomic swap). */
    private readonly swap: (compiled: CompiledPolicy) => void,
    private readonly options: ReloadQueueOptions,
  ) {}

  /** The error of the last failed reload, cleared by the next successful one. */
  get lastError(): Error | undefined {
    return this.failure;
  }

  /** Queues a reload after any in progress. Without `force`, a directory whose content is unchanged is not rebuilt. */
  enqueue(force: boolean): Promise<void> {
    const run = this.queue.then(() => this.rebuild(force));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rebuild(force: boolean): Promise<void> {
    try {
      const source = await readPolicyDir(this.policyDir);
      if (!force && source.hash === this.current().source.hash) {
        this.failure = undefined;
        return; // a watch event without a content change
      }
      const compiled = await compilePolicy(source, this.current().version + 1, this.options.compile);
      this.swap(compiled);
      this.failure = undefined;
      this.options.log('authz policy reloaded', {
        version: compiled.version,
        roles: source.roles.size,
        bindings: source.bindings.length,
        hash: source.hash.slice(0, 12),
        rowIndex: compiled.rowIndex,
      });
      this.options.onReload?.(compiled.version, undefined);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.failure = error;
      this.options.log(
        'authz policy reload failed; keeping the last good policy',
        {
          version: this.current().version,
          error: error.message,
        },
        'warn',
      );
      this.options.onReload?.(this.current().version, error);
    }
  }
}
