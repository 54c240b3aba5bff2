import type * as z from 'zod';
import { defineTool, type ToolDefinition } from '../../../../shared/tools/define-tool.js';
import type { ControlPlaneDeps } from '../../deps.js';

/** `defineTool` with the control plane's adapters fixed, so input and output types are still inferred. */
export function controlPlaneTool<Input extends z.ZodObject, Output extends z.ZodObject, Loaded = undefined>(
  definition: ToolDefinition<Input, Output, ControlPlaneDeps, Loaded>,
): ToolDefinition<Input, Output, ControlPlaneDeps, Loaded> {
  return defineTool(definition);
}
