import type { ResourceKind, ResourceOf } from '../../domain/resources.js';
import type { Actor, ResourceStore } from '../../store/resource-store.js';
import { ResourceNotFoundError } from '../../store/store-errors.js';
import type { ToolContext } from '../../../../shared/tools/define-tool.js';

/** Read an object or fail with a not-found error that names it. */
export async function requireResource<K extends ResourceKind>(
  store: ResourceStore,
  kind: K,
  namespace: string | undefined,
  name: string,
): Promise<ResourceOf<K>> {
  const found = await store.get(kind, namespace, name);
  if (!found) throw new ResourceNotFoundError(kind, namespace, name);
  return found;
}

/** The audit identity stamped on every write. */
export function actorOf(context: ToolContext<unknown>): Actor {
  return { subject: `${context.subject.type}:${context.subject.id}`, clientId: context.clientId };
}
