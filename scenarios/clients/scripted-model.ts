import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A **stand-in** for the model behind an assistant CLI: a loopback HTTP server speaking as much of a
 * model API as the CLI uses — the Anthropic Messages API for Claude Code (messages-api.ts), the
 * OpenAI Responses API for Codex (responses-api.ts), both streamed as server-sent events. It is not a
 * model and decides nothing: every conversation request it receives is handed to its driver as a
 * `StandInTurn`, held open until the driver replies with the scenario's next tool call or a closing
 * text. Every request is recorded (without credentials) so that what the client showed the model
 * can be measured.
 */

export interface RecordedRequest<Body = unknown> {
  sequence: number;
  method: string;
  path: string;
  /** Request headers without credentials (`x-api-key`, `authorization`). */
  headers: Record<string, string | string[] | undefined>;
  body: Body | undefined;
  receivedAt: Date;
}

/** A tool call (`namespace` for APIs that group a server's tools, as the Responses API does) or a closing text. */
export type StandInReply = { toolUse: { name: string; namespace?: string; input: Record<string, unknown> } } | { text: string };

/** One conversation request, waiting for the driver's reply. */
export interface StandInTurn<Body = unknown> {
  request: RecordedRequest<Body> & { body: Body };
  /** Answer the request; for a tool call, the id the client will quote with its result. */
  reply(reply: StandInReply): string | undefined;
}

/** How one model API is spoken: which requests are conversation turns, and how a reply is streamed. */
export interface StandInDialect<Body> {
  /** `turn`: hand the request to the driver; otherwise answer it at once (side requests, other endpoints). */
  route(method: string, path: string, body: unknown): { turn: Body } | { answer: (response: ServerResponse) => void };
  /** Stream `reply` as the API would; returns the tool call's id. */
  stream(response: ServerResponse, sequence: number, reply: StandInReply): string | undefined;
}

export class StandInTimeoutError extends Error {
  override name = 'StandInTimeoutError';
}

const CREDENTIAL_HEADERS = new Set(['x-api-key', 'authorization']);

export class ScriptedStandInModel<Body = unknown> {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #dialect: StandInDialect<Body>;
  readonly #arrived: StandInTurn<Body>[] = [];
  readonly #waiting: Array<{ resolve: (turn: StandInTurn<Body>) => void; reject: (error: Error) => void }> = [];
  readonly #open = new Set<ServerResponse>();
  readonly #log: (line: string) => void;
  #sequence = 0;
  #closed: Error | undefined;

  private constructor(server: Server, dialect: StandInDialect<Body>, log: (line: string) => void) {
    this.#server = server;
    this.#dialect = dialect;
    this.#log = log;
  }

  /** Listen on a free loopback port, speaking `dialect`. */
  static async start<Body>(
    dialect: StandInDialect<Body>,
    options: { log?: (line: string) => void } = {},
  ): Promise<ScriptedStandInModel<Body>> {
    const server = createServer();
    const model = new ScriptedStandInModel<Body>(server, dialect, options.log ?? (() => {}));
    server.on('request', (request, response) => void model.#handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return model;
  }

  /** The base URL a client is pointed at (`ANTHROPIC_BASE_URL`; Codex's provider `base_url` adds `/v1`). */
  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The next conversation request, in arrival order; rejects after `timeoutMs` or once `abort` is called. */
  nextTurn(timeoutMs: number): Promise<StandInTurn<Body>> {
    const ready = this.#arrived.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise<StandInTurn<Body>>((resolve, reject) => {
      const waiter = {
        resolve: (turn: StandInTurn<Body>) => (clearTimeout(timer), resolve(turn)),
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

  /** Wait for turns again after `abort` (a client that runs one process per prompt). */
  resume(): void {
    this.#closed = undefined;
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
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      sequence: ++this.#sequence,
      method: request.method ?? 'GET',
      path: (request.url ?? '/').split('?')[0]!,
      headers: Object.fromEntries(Object.entries(request.headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name))),
      body,
      receivedAt: new Date(),
    };
    this.requests.push(recorded);
    const route = this.#dialect.route(recorded.method, recorded.path, body);
    if ('answer' in route) {
      if (recorded.method === 'POST') this.#log(`stand-in model: request #${recorded.sequence} (${recorded.path}) answered at once`);
      route.answer(response);
      return;
    }
    this.#open.add(response);
    response.on('close', () => this.#open.delete(response));
    let replied = false;
    const turn: StandInTurn<Body> = {
      request: { ...recorded, body: route.turn },
      reply: (reply) => {
        if (replied) throw new Error(`stand-in model: request #${recorded.sequence} was already answered`);
        replied = true;
        return this.#dialect.stream(response, recorded.sequence, reply);
      },
    };
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(turn);
    else this.#arrived.push(turn);
  }
}
