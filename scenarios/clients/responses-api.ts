import type { ServerResponse } from 'node:http';
import type { StandInDialect, StandInReply } from './scripted-model.js';
import { nextCallId, sendJson, sseWriter } from './sse.js';

/**
 * The OpenAI Responses API as far as Codex CLI uses it, for the stand-in model: `POST
 * /v1/responses` streamed as server-sent events (response.created, one output item added and done,
 * response.completed). Codex groups each MCP server's tools in a `namespace` tool
 * (`mcp__plane_control`) and calls them as `function_call {namespace, name}`; a result comes back
 * as `function_call_output`.
 */

export interface ResponsesFunction {
  type: 'function';
  name: string;
  description?: string;
  parameters?: unknown;
  [key: string]: unknown;
}

export type ResponsesTool =
  | ResponsesFunction
  | { type: 'namespace'; name: string; description?: string; tools: ResponsesFunction[] }
  | { type: string; name?: string; [key: string]: unknown };

export type InputText = { type: 'input_text'; text: string } | { type: string; [key: string]: unknown };

export type ResponsesInputItem =
  | { type: 'message'; role: string; content: string | InputText[] }
  | { type: 'function_call'; call_id: string; name: string; namespace?: string; arguments: string }
  | { type: 'function_call_output'; call_id: string; output: string | InputText[] }
  | { type: string; [key: string]: unknown };

export interface ResponsesRequestBody {
  model?: string;
  stream?: boolean;
  instructions?: string;
  input: ResponsesInputItem[];
  tools?: ResponsesTool[];
  [key: string]: unknown;
}

/** The text of a function_call_output: a string, or its text parts joined. */
export function outputText(output: string | InputText[]): string {
  if (typeof output === 'string') return output;
  return output
    .map((part) => (part.type === 'input_text' && typeof part.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n');
}

export function findFunctionOutput(
  body: ResponsesRequestBody,
  callId: string,
): Extract<ResponsesInputItem, { type: 'function_call_output' }> | undefined {
  return body.input.find(
    (item): item is Extract<ResponsesInputItem, { type: 'function_call_output' }> =>
      item.type === 'function_call_output' && (item as { call_id?: string }).call_id === callId,
  );
}

function stream(response: ServerResponse, sequence: number, reply: StandInReply): string | undefined {
  const write = sseWriter(response);
  let counter = 0;
  const event = (type: string, data: Record<string, unknown>) => write(type, { sequence_number: counter++, ...data });
  const base = { id: `resp_standin_${sequence}`, object: 'response', created_at: Math.floor(Date.now() / 1000), model: 'stand-in' };
  event('response.created', { response: { ...base, status: 'in_progress', output: [] } });
  let callId: string | undefined;
  let item: Record<string, unknown>;
  if ('toolUse' in reply) {
    callId = nextCallId('call');
    const { name, namespace, input } = reply.toolUse;
    item = {
      type: 'function_call',
      id: `fc_${callId}`,
      call_id: callId,
      name,
      ...(namespace ? { namespace } : {}),
      arguments: JSON.stringify(input),
      status: 'completed',
    };
  } else {
    item = {
      type: 'message',
      id: `msg_standin_${sequence}`,
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: reply.text, annotations: [] }],
    };
  }
  event('response.output_item.added', { output_index: 0, item });
  event('response.output_item.done', { output_index: 0, item });
  const usage = {
    input_tokens: 1,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 1,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 2,
  };
  event('response.completed', { response: { ...base, status: 'completed', output: [item], usage } });
  response.end();
  return callId;
}

export const responsesApi: StandInDialect<ResponsesRequestBody> = {
  route(method, path, raw) {
    if (method !== 'POST' || path !== '/v1/responses')
      return { answer: (response) => sendJson(response, 404, { error: { message: 'not served by the stand-in' } }) };
    const body = raw as ResponsesRequestBody | undefined;
    if (!body || !Array.isArray(body.input))
      return { answer: (response) => sendJson(response, 400, { error: { message: 'expected a Responses API body' } }) };
    if (body.stream && body.tools?.length) return { turn: body };
    return { answer: (response) => void stream(response, 0, { text: 'stand-in' }) };
  },
  stream,
};
