import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A **stand-in** for the model behind an assistant CLI: a loopback HTTP server speaking as much of
 * the Anthropic Messages API as Claude Code uses (`POST /v1/messages`, streamed as server-sent
 * events). It is not a model and decides nothing: every conversation request it receives is handed
 * to its driver as a `StandInTurn`, held open until the driver replies with the scenario's next
 * tool call or a closing text. Every request is recorded (without credentials) so that what the
 * client showed the model can be measured afterwards.
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

export interface RecordedRequest {
  sequence: number;
  method: string;
  path: string;
  /** Request headers without credentials (`x-api-key`, `authorization`). */
  headers: Record<string, string | string[] | undefined>;
  body: MessagesRequestBody | undefined;
  receivedAt: Date;
}

export type StandInReply = { toolUse: { name: string; input: Record<string, unknown> } } | { text: string };

/** One conversation request, waiting for the driver's reply. */
export interface StandInTurn {
  request: RecordedRequest & { body: MessagesRequestBody };
  /** Answer the request; for a tool call, the id the client will quote in its tool_result. */
  reply(reply: StandInReply): string | undefined;
}

export class StandInTimeoutError extends Error {
  override name = 'StandInTimeoutError';
}

const CREDENTIAL_HEADERS = new Set(['x-api-key', 'authorization']);

export class ScriptedStandInModel {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #arrived: StandInTurn[] = [];
  readonly #waiting: Array<{ resolve: (turn: StandInTurn) => void; reject: (error: Error) => void }> = [];
  readonly #open = new Set<ServerResponse>();
  readonly #log: (line: string) => void;
  #sequence = 0;
  #closed: Error | undefined;

  private constructor(server: Server, log: (line: string) => void) {
    this.#server = server;
    this.#log = log;
  }

  /** Listen on a free loopback port. */
  static async start(options: { log?: (line: string) => void } = {}): Promise<ScriptedStandInModel> {
    const server = createServer();
    const model = new ScriptedStandInModel(server, options.log ?? (() => {}));
    server.on('request', (request, response) => void model.#handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return model;
  }

  /** The base URL a client is pointed at (`ANTHROPIC_BASE_URL`). */
  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The next conversation request, in arrival order; rejects after `timeoutMs` or once `abort` is called. */
  nextTurn(timeoutMs: number): Promise<StandInTurn> {
    const ready = this.#arrived.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise<StandInTurn>((resolve, reject) => {
      const waiter = {
        resolve: (turn: StandInTurn) => (clearTimeout(timer), resolve(turn)),
        reject: (error: Error) => (clearTimeout(timer), reject(error)),
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(new StandInTimeoutError(`the stand-in model received no request from the client within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#waiting.push(waiter);
    });
  }

  /** Fail every present and future wait for a turn (e.g. the client exited). */
  abort(error: Error): void {
    this.#closed ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }

  async close(): Promise<void> {
    this.abort(new Error('the stand-in model was closed'));
    for (const response of this.#open) response.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: MessagesRequestBody | undefined;
    try {
      body = text ? (JSON.parse(text) as MessagesRequestBody) : undefined;
    } catch {
      body = undefined;
    }
    const path = (request.url ?? '/').split('?')[0]!;
    const recorded: RecordedRequest = {
      sequence: ++this.#sequence,
      method: request.method ?? 'GET',
      path,
      headers: Object.fromEntries(Object.entries(request.headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name))),
      body,
      receivedAt: new Date(),
    };
    this.requests.push(recorded);
    if (request.method === 'POST' && path === '/v1/messages/count_tokens') return sendJson(response, 200, { input_tokens: 1 });
    if (request.method !== 'POST' || path !== '/v1/messages') return sendJson(response, request.method === 'HEAD' ? 200 : 404, {});
    if (!body || !Array.isArray(body.messages))
      return sendJson(response, 400, apiError('invalid_request_error', 'expected a JSON Messages API body'));
    if (!body.stream || !body.tools?.length) {
      // Not the agent loop (a side request such as a title or a summary): answer it and move on.
      this.#log(`stand-in model: side request #${recorded.sequence} answered with a fixed text`);
      if (body.stream) streamReply(response, `msg_standin_${recorded.sequence}`, { text: 'stand-in' });
      else sendJson(response, 200, message(recorded.sequence, 'stand-in'));
      return;
    }
    this.#open.add(response);
    response.on('close', () => this.#open.delete(response));
    let replied = false;
    const turn: StandInTurn = {
      request: { ...recorded, body },
      reply: (reply) => {
        if (replied) throw new Error(`stand-in model: request #${recorded.sequence} was already answered`);
        replied = true;
        return streamReply(response, `msg_standin_${recorded.sequence}`, reply);
      },
    };
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(turn);
    else this.#arrived.push(turn);
  }
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

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

let toolUseCounter = 0;

/** A streamed Messages API answer: message_start, one content block, message_delta, message_stop. */
function streamReply(response: ServerResponse, messageId: string, reply: StandInReply): string | undefined {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type: string, data: Record<string, unknown>) =>
    response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event('message_start', {
    message: {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model: 'stand-in',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    },
  });
  let toolUseId: string | undefined;
  if ('toolUse' in reply) {
    toolUseId = `toolu_standin_${++toolUseCounter}`;
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
