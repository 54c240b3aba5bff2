import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import type { Observation } from '../assertions.js';
import { describeIdentity } from '../connections.js';
import type { Identity, ServerName, Step } from '../format.js';
import type { ScenarioClient } from '../runner.js';
import { MCP_SERVER_NAMES, SERVER_NAMES } from './mcp-servers.js';
import { findFunctionOutput, outputText, type ResponsesFunction, type ResponsesRequestBody } from './responses-api.js';
import type { ScriptedStandInModel, StandInTurn } from './scripted-model.js';
import { ShownSteps, sumDefinitions, type ClientTokenReport } from './token-report.js';
import { classifyShown, toObservation, type ShownResult } from './tool-result.js';

/**
 * The real Codex CLI as the assistant a scenario is played through: one `codex exec --json` per
 * scenario prompt (`exec resume <thread>` after the first), with a throwaway CODEX_HOME whose
 * config.toml points the model provider at the scripted stand-in (Responses API), runs both MCP
 * servers over HTTP with static bearer tokens (from environment variables, never in a file), and
 * approves nothing interactively (`approval_policy = "never"`, read-only sandbox).
 */

/** Codex's namespace for a server's tools: `mcp__` and the server name with `-` as `_`. */
export const codexNamespace = (server: ServerName) => `mcp__${MCP_SERVER_NAMES[server].replaceAll('-', '_')}`;
const TOKEN_VARIABLE: Record<ServerName, string> = {
  'control-plane': 'PLANE_CONTROL_TOKEN',
  'observability-plane': 'PLANE_OBSERVABILITY_TOKEN',
};
/** Codex puts this before every MCP result it gives the model. */
const WALL_TIME = /^Wall time: [\d.]+ seconds\nOutput:\n?/;

export interface CodexSessionOptions {
  binary: string;
  model: ScriptedStandInModel<ResponsesRequestBody>;
  servers: Record<ServerName, URL>;
  tokens: Record<ServerName, string>;
  identity: Identity;
  prompts: Record<string, string>;
  log?: (line: string) => void;
}

export class CodexError extends Error {
  override name = 'CodexError';
}

interface McpCallEvent {
  server: string;
  tool: string;
  arguments: unknown;
  status: string;
}

export class CodexSession implements ScenarioClient {
  readonly name = 'codex';
  readonly steps = new ShownSteps();
  readonly #options: CodexSessionOptions;
  readonly #home: string;
  readonly #work: string;
  #thread: string | undefined;
  #running: Promise<number | null> | undefined;
  #stderr = '';
  #turn: StandInTurn<ResponsesRequestBody> | undefined;
  #prompt: string | undefined;
  #firstBody: ResponsesRequestBody | undefined;
  readonly #mcpCalls: McpCallEvent[] = [];
  #mcpWaiters: Array<() => void> = [];

  constructor(options: CodexSessionOptions) {
    this.#options = options;
    this.#home = mkdtempSync(join(tmpdir(), 'plane-mcp-codex-'));
    this.#work = join(this.#home, 'work');
    mkdirSync(join(this.#home, '.codex'), { recursive: true });
    mkdirSync(this.#work, { recursive: true });
    writeFileSync(join(this.#home, '.codex', 'config.toml'), this.#config(), { mode: 0o600 });
  }

  handles(step: Step, phase: 'setup' | 'step', identity: Identity): boolean {
    return phase === 'step' && step.tool !== undefined && describeIdentity(identity) === describeIdentity(this.#options.identity);
  }

  async attempt(step: Step, args: Record<string, unknown>, options: { prompt?: string; timeoutSeconds: number }): Promise<Observation> {
    const timeoutMs = (options.timeoutSeconds + 30) * 1000;
    const shownName = `${codexNamespace(step.server)}__${step.tool}`;
    let shown: ShownResult;
    try {
      await this.#ensurePrompt(options.prompt, timeoutMs);
      shown = await this.#call(step.server, step.tool!, args, timeoutMs);
    } catch (error) {
      this.steps.attempt(step.name, shownName, undefined);
      throw error;
    }
    this.steps.attempt(step.name, shownName, shown);
    return toObservation(shown);
  }

  async finish(): Promise<void> {
    try {
      if (this.#turn) await this.#endTurn('(stand-in model) That is all.', 60_000);
    } finally {
      rmSync(this.#home, { recursive: true, force: true });
    }
  }

  tokenReport(scenario: string, direct: string[]): ClientTokenReport {
    const namespaces = (this.#firstBody?.tools ?? []).filter(
      (tool): tool is { type: 'namespace'; name: string; description?: string; tools: ResponsesFunction[] } =>
        tool.type === 'namespace' && typeof tool.name === 'string' && tool.name.startsWith('mcp__'),
    );
    // A namespace carries the server's instructions as its description, then the tools' name, description and parameters.
    const tools = sumDefinitions(
      namespaces.flatMap((namespace) =>
        namespace.tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters })),
      ),
    );
    const described = namespaces.filter((namespace) => namespace.description);
    const instructions = sumDefinitions(described.map((namespace) => ({ namespace: namespace.name, description: namespace.description })));
    return {
      scenario,
      client: this.name,
      toolSearch: false,
      definitions: tools,
      offered: tools,
      instructions,
      steps: this.steps.list(),
      direct,
    };
  }

  #config(): string {
    const quote = (value: string) => JSON.stringify(value);
    const servers = SERVER_NAMES.flatMap((server) => [
      `[mcp_servers.${MCP_SERVER_NAMES[server]}]`,
      `url = ${quote(this.#options.servers[server].href)}`,
      `bearer_token_env_var = ${quote(TOKEN_VARIABLE[server])}`,
      '',
    ]);
    return [
      'model = "stand-in"',
      'model_provider = "stand-in"',
      'approval_policy = "never"',
      'sandbox_mode = "read-only"',
      'check_for_update_on_startup = false',
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[model_providers.stand-in]',
      'name = "scripted stand-in model (not a model)"',
      `base_url = ${quote(`${this.#options.model.url}/v1`)}`,
      'wire_api = "responses"',
      'env_key = "STAND_IN_API_KEY"',
      '',
      ...servers,
    ].join('\n');
  }

  #environment(): NodeJS.ProcessEnv {
    const home = this.#home;
    return {
      PATH: process.env.PATH,
      HOME: home,
      CODEX_HOME: join(home, '.codex'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      STAND_IN_API_KEY: 'stand-in-model-no-real-key',
      [TOKEN_VARIABLE['control-plane']]: this.#options.tokens['control-plane'],
      [TOKEN_VARIABLE['observability-plane']]: this.#options.tokens['observability-plane'],
      // Nothing but loopback: anything else would go to a proxy that is not there.
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost,::1',
      NO_COLOR: '1',
    };
  }

  /** One `codex exec` per prompt; it runs until the stand-in ends the turn with text. */
  #start(prompt: string): void {
    const args = ['exec', '--json', '--skip-git-repo-check', ...(this.#thread ? ['resume', this.#thread] : []), prompt];
    const child = spawn(this.#options.binary, args, { cwd: this.#work, env: this.#environment(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => this.#onEvent(line));
    this.#options.model.resume();
    this.#running = new Promise((resolve) => {
      child.on('exit', (code) => {
        this.#options.model.abort(
          new CodexError(`Codex exited (code ${code})${this.#stderr ? `: ${this.#stderr.trim().slice(-600)}` : ''}`),
        );
        resolve(code);
      });
      child.on('error', (error) => {
        this.#options.model.abort(new CodexError(`Codex did not start: ${error.message}`));
        resolve(null);
      });
    });
  }

  #onEvent(line: string): void {
    let event: { type?: string; thread_id?: string; item?: { type?: string } & Partial<McpCallEvent> };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.type === 'thread.started' && event.thread_id) this.#thread = event.thread_id;
    if (event.type === 'item.completed' && event.item?.type === 'mcp_tool_call') {
      const { server = '', tool = '', arguments: args, status = '' } = event.item;
      this.#mcpCalls.push({ server, tool, arguments: args, status });
      for (const waiter of this.#mcpWaiters.splice(0)) waiter();
    }
  }

  async #ensurePrompt(prompt: string | undefined, timeoutMs: number): Promise<void> {
    if (this.#turn && (prompt === undefined || prompt === this.#prompt)) return;
    if (this.#turn) await this.#endTurn('(stand-in model) Done with that question.', timeoutMs);
    this.#prompt = prompt;
    this.#start(prompt ? this.#options.prompts[prompt]! : 'Go on.');
    this.#turn = await this.#options.model.nextTurn(timeoutMs);
    this.#firstBody ??= this.#turn.request.body;
  }

  async #endTurn(text: string, timeoutMs: number): Promise<void> {
    this.#turn!.reply({ text });
    this.#turn = undefined;
    const exit = await Promise.race([
      this.#running,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref()),
    ]);
    if (exit === 'timeout') throw new CodexError('Codex did not finish its turn');
  }

  async #call(server: ServerName, tool: string, args: Record<string, unknown>, timeoutMs: number): Promise<ShownResult> {
    const callId = this.#turn!.reply({ toolUse: { namespace: codexNamespace(server), name: tool, input: args } })!;
    this.#turn = undefined;
    this.#turn = await this.#options.model.nextTurn(timeoutMs);
    const output = findFunctionOutput(this.#turn.request.body, callId);
    if (!output) throw new CodexError(`Codex's next request carried no output for the ${tool} call`);
    const text = outputText(output.output);
    const shown = classifyShown(text.replace(WALL_TIME, ''), (await this.#outcome(MCP_SERVER_NAMES[server], tool, args)) === 'failed');
    return { ...shown, text };
  }

  /** Codex tells the model an error only in words; its event stream says `failed`. Matched by server, tool and arguments. */
  async #outcome(server: string, tool: string, args: Record<string, unknown>): Promise<string | undefined> {
    const find = () => {
      const index = this.#mcpCalls.findIndex(
        (call) => call.server === server && call.tool === tool && isDeepStrictEqual(call.arguments, args),
      );
      return index < 0 ? undefined : this.#mcpCalls.splice(index, 1)[0]!.status;
    };
    const found = find();
    if (found !== undefined) return found;
    // The event may trail the request; a call Codex refused itself ("unsupported call") never has one.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.#mcpWaiters.push(() => (clearTimeout(timer), resolve()));
    });
    return find();
  }
}
