/** Watches the policy directory and calls back (debounced) when one of the policy files may have changed. */
import type { PolicyLog } from './decision.js';
import { watch, type FSWatcher } from 'node:fs';
import { BINDINGS_FILE, MODEL_FILE, ROLES_FILE } from './policy-files.js';

export interface PolicyWatcher {
  /** Stops watching; a pending debounced callback is dropped. */
  close(): void;
}

export function watchPolicyDir(policyDir: string, debounceMs: number, onChange: () => void, log: PolicyLog): PolicyWatcher {
  const relevant = new Set([MODEL_FILE, ROLES_FILE, BINDINGS_FILE]);
  let closed = false;
  let debounce: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(policyDir, { persistent: false }, (_event, filename) => {
      // Kubernetes ConfigMap volumes swap a `..data` symlink instead of writing the files.
      const name = filename?.toString();
      if (name && !relevant.has(name) && !name.startsWith('..data')) return;
      if (closed) return;
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => {
        debounce = undefined;
        if (!closed) onChange();
      }, debounceMs);
    });
    watcher.on('error', (err) => log('authz policy watcher error', { error: err.message }, 'warn'));
  } catch (err) {
    log('authz policy watcher could not start', { error: (err as Error).message }, 'warn');
  }
  return {
    close() {
      closed = true;
      if (debounce) clearTimeout(debounce);
      debounce = undefined;
      watcher?.close();
      watcher = undefined;
    },
  };
}
