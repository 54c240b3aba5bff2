import { ConfigError } from '../config/env.js';
import type { AnyToolDefinition } from './define-tool.js';

export interface ToolSelection {
  /** Only these toolsets; undefined = all. */
  toolsets?: string[];
  /** Only tools whose kind is `read`. */
  readOnly: boolean;
  /** No tools whose kind is `destructive`. */
  noDestructive: boolean;
}

/** The tools a server registers, from its full catalogue and the operator's switches. Unknown toolsets are refused. */
export function selectTools<Deps>(catalogue: AnyToolDefinition<Deps>[], selection: ToolSelection): AnyToolDefinition<Deps>[] {
  const known = new Set(catalogue.map((tool) => tool.toolset));
  const unknown = selection.toolsets?.filter((toolset) => !known.has(toolset)) ?? [];
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown toolset(s) ${unknown.join(', ')} (--toolsets / PLANE_CONTROL_PLANE_TOOLSETS / PLANE_OBSERVABILITY_PLANE_TOOLSETS); known: ${[...known].sort().join(', ')}`,
    );
  }
  return catalogue.filter(
    (tool) =>
      (selection.toolsets === undefined || selection.toolsets.includes(tool.toolset)) &&
      !(selection.readOnly && tool.kind !== 'read') &&
      !(selection.noDestructive && tool.kind === 'destructive'),
  );
}
