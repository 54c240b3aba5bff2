import type { ListToolsResult, Tool } from '@modelcontextprotocol/server';
import type * as z from 'zod';
import type { Subject } from '../auth/subject.js';
import { annotationsOf, type AnyToolDefinition } from '../tools/define-tool.js';

/** The JSON Schema dialect the MCP SDK emits in `tools/list`. */
const JSON_SCHEMA_TARGET = 'draft-2020-12';

/**
 * The `tools/list` answer for one caller: the tools its roles could use somewhere, nothing else.
 *
 * This is the list handler itself (installed on every per-request server in place of the SDK's), so
 * whatever shape the request had — one message, a batch, a batch mixing lists and calls — no path lists
 * a tool the caller could not use. On calls every tool stays registered (with a permissive input
 * schema), so a hidden tool is still refused by the policy and audited. Each entry is built once, from
 * the tool's real schemas, the way the SDK builds its own listing (zod's Standard JSON Schema converter,
 * draft 2020-12, object roots).
 */
export function createToolListing<Deps>(
  tools: readonly AnyToolDefinition<Deps>[],
  isVisible: (tool: AnyToolDefinition<Deps>, subject: Subject) => boolean,
) {
  const entries = tools.map((tool) => ({ tool, listed: listedTool(tool) }));
  return (subject: Subject | undefined): ListToolsResult => ({
    tools: subject ? entries.filter(({ tool }) => isVisible(tool, subject)).map(({ listed }) => listed) : [],
  });
}

function listedTool<Deps>(tool: AnyToolDefinition<Deps>): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: objectSchema(tool.input, 'input'),
    outputSchema: objectSchema(tool.output, 'output'),
    annotations: annotationsOf(tool),
    _meta: { 'plane-mcp/toolset': tool.toolset, 'plane-mcp/scope': tool.scope },
  };
}

/** As the SDK converts: an output schema as zod writes it, an input schema with `type: "object"` first. */
function objectSchema(schema: z.ZodObject, io: 'input' | 'output'): Tool['inputSchema'] {
  const json = schema['~standard'].jsonSchema[io]({ target: JSON_SCHEMA_TARGET });
  return (io === 'output' && json.type !== undefined ? json : { type: 'object', ...json }) as Tool['inputSchema'];
}
