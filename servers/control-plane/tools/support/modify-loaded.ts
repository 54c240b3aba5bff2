import type { ResourceKind, ResourceOf } from '../../domain/resources.js';
import type { Actor, ResourceStore, WriteOptions } from '../../store/resource-store.js';
import { ResourceConflictError } from '../../store/store-errors.js';

/**
 * `store.modify` whose first attempt starts from the object the tool's authorization target loaded,
 * so an update reads it once. The write is still a compare-and-swap on that object's version: when it
 * changed in between, a pinned `expectedVersion` is refused as a conflict, and otherwise `store.modify`
 * re-reads and re-applies the change, exactly as it does after losing a race.
 */
export async function modifyLoaded<K extends ResourceKind>(
  store: ResourceStore,
  loaded: ResourceOf<K>,
  actor: Actor,
  change: (current: ResourceOf<K>) => ResourceOf<K> | Promise<ResourceOf<K>>,
  options: WriteOptions = {},
): Promise<{ before: ResourceOf<K>; after: ResourceOf<K> }> {
  const kind = loaded.kind as K;
  const { namespace, name } = loaded.metadata;
  const version = loaded.metadata.resourceVersion ?? '';
  const again = () => store.modify(kind, namespace, name, actor, change, options);
  // What the caller read is not what the target loaded: let modify decide on a fresh read.
  if (options.expectedVersion !== undefined && options.expectedVersion !== version) return again();
  const next = await change(structuredClone(loaded));
  if (next.kind !== kind || next.metadata.name !== name || next.metadata.namespace !== namespace) {
    throw new Error(`modify must not change the kind, namespace or name of ${kind} ${name}`);
  }
  try {
    return { before: loaded, after: await store.update(next, actor, { expectedVersion: version }) };
  } catch (error) {
    if (!(error instanceof ResourceConflictError) || options.expectedVersion !== undefined) throw error;
    return again();
  }
}
