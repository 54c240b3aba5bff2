import type { ResourceStore } from '../store/resource-store.js';
import { ResourceNotFoundError } from '../store/store-errors.js';
import type { ResourceKind, ResourceOf } from './resources.js';

/** Read an object or fail with a not-found error that names it. */
export async function requireResource<K extends ResourceKind>(
  store: Pick<ResourceStore, 'get'>,
  kind: K,
  namespace: string | undefined,
  name: string,
): Promise<ResourceOf<K>> {
  const found = await store.get(kind, namespace, name);
  if (!found) throw new ResourceNotFoundError(kind, namespace, name);
  return found;
}
