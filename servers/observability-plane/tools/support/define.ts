import type * as z from 'zod';
import { defineTool, type ToolDefinition } from '../../../../shared/tools/define-tool.js';
import type { ObservabilityPlaneDeps } from '../../deps.js';

/** `defineTool` with the observability plane's adapters fixed, so input and output types are still inferred. */
export function observabilityTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  definition: ToolDefinition<Input, Output, ObservabilityPlaneDeps>,
): ToolDefinition<Input, Output, ObservabilityPlaneDeps> {
  return defineTool(definition);
}
