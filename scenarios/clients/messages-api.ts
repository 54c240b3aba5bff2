import type { ServerResponse } from 'node:http';
import type { StandInDialect, StandInReply } from './scripted-model.js';
import { nextCallId, sendJson, sseWriter } from './sse.js';

/**
 * The Anthropic Messages API as far as Claude Code uses it, for the stand-in model: `POST
 * /v1/messages` streamed as server-sent events (message_start, one content block, message_delta,
 * message_stop). A streamed request that offers tools is a turn of the agent loop; anything else
 * (`count_tokens`, a side request without tools, Claude Code's `HEAD /api/hello`) is answered at once.
 */

/** The parts of a Messages API request body the harness reads; the rest is kept as sent. */
export interface MessagesRequestBody {
  model?: string;
  stream?: boolean;
  system?: unknown;
  messages: Array<{ role: string; content: string | ContentBlock[] }>;
  tools?: ToolDefinition[];
  [key: string]: unknown;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  input_schema?: unknown;
  defer_loading?: boolean;
  [key: string]: unknown;
}

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content?: string | ContentBlock[]; is_error?: boolean }
  | { type: 'tool_reference'; tool_name: string }
  | { type: string; [key: string]: unknown };

/** Text of a tool_result's content: a string, or the text blocks joined. */
export function contentText(content: string | ContentBlock[] | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
    .filter(Boolean)
    .join('\n');
}

/** The tool_result block answering `toolUseId` in the last user message of a request, if any. */
export function findToolResult(body: MessagesRequestBody, toolUseId: string): Extract<ContentBlock, { type: 'tool_result' }> | undefined {
  for (let index = body.messages.length - 1; index >= 0; index--) {
    const message = body.messages[index]!;
    if (message.role !== 'user' || typeof message.content === 'string') continue;
    const block = message.content.find(
      (candidate): candidate is Extract<ContentBlock, { type: 'tool_result' }> =>
        candidate.type === 'tool_result' && (candidate as { tool_use_id?: string }).tool_use_id === toolUseId,
    );
    if (block) return block;
  }
  return undefined;
}

function apiError(type: string, text: string) {
  return { type: 'error', error: { type, message: text } };
}

function message(sequence: number, text: string) {
  return {
    id: `msg_standin_${sequence}`,
    type: 'message',
    role: 'assistant',
    model: 'stand-in',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
  };
}

function stream(response: ServerResponse, sequence: number, reply: StandInReply): string | undefined {
  const event = sseWriter(response);
  event('message_start', { message: { ...message(sequence, ''), content: [], stop_reason: null } });
  let toolUseId: string | undefined;
  if ('toolUse' in reply) {
    toolUseId = nextCallId('toolu');
    event('content_block_start', { index: 0, content_block: { type: 'tool_use', id: toolUseId, name: reply.toolUse.name, input: {} } });
    event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(reply.toolUse.input) } });
  } else {
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply.text } });
  }
  event('content_block_stop', { index: 0 });
  event('message_delta', { delta: { stop_reason: toolUseId ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } });
  event('message_stop', {});
  response.end();
  return toolUseId;
}

export const messagesApi: StandInDialect<MessagesRequestBody> = {
  route(method, path, raw) {
    if (method === 'POST' && path === '/v1/messages/count_tokens')
      return { answer: (response) => sendJson(response, 200, { input_tokens: 1 }) };
    if (method !== 'POST' || path !== '/v1/messages')
      return { answer: (response) => sendJson(response, method === 'HEAD' ? 200 : 404, {}) };
    const body = raw as MessagesRequestBody | undefined;
    if (!body || !Array.isArray(body.messages))
      return { answer: (response) => sendJson(response, 400, apiError('invalid_request_error', 'expected a JSON Messages API body')) };
    if (body.stream && body.tools?.length) return { turn: body };
    // Not the agent loop (a side request such as a title or a summary): a fixed text.
    return {
      answer: (response) =>
        body.stream ? void stream(response, 0, { text: 'stand-in' }) : sendJson(response, 200, message(0, 'stand-in')),
    };
  },
  stream,
};
