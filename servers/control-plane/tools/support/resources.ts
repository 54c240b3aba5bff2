import type { Actor } from '../../store/resource-store.js';
import type { ToolContext } from '../../../../shared/tools/define-tool.js';

/** The audit identity stamped on every write. */
export function actorOf(context: ToolContext<unknown>): Actor {
  return { subject: `${context.subject.type}:${context.subject.id}`, clientId: context.clientId };
}
