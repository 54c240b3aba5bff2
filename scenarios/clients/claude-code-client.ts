import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Observation } from '../assertions.js';
import { describeIdentity } from '../connections.js';
import type { Identity, ServerName, Step } from '../format.js';
import type { ScenarioClient } from '../runner.js';
import { MCP_SERVER_NAMES, SERVER_NAMES } from './mcp-servers.js';
import { contentText, findToolResult, type MessagesRequestBody, type ToolDefinition } from './messages-api.js';
import type { ScriptedStandInModel, StandInTurn } from './scripted-model.js';
import { classifyShown, toObservation, type ShownResult } from './tool-result.js';
import { definitionTokens, ShownSteps, sumDefinitions, type ClientTokenReport, type ShownStep, type TokenTotal } from './token-report.js';
import { countTokens } from '../tokens.js';

/**
 * The real Claude Code CLI as the assistant a scenario is played through. It runs `claude -p` with
 * streamed JSON input (one user message per scenario prompt), both MCP servers over HTTP with static
 * bearer tokens, `--allowedTools` naming the scenario's MCP tools, an isolated HOME and its model
 * endpoint (`ANTHROPIC_BASE_URL`) at the scripted stand-in model. For each step the stand-in answers
 * Claude Code with the step's tool call — loading the tool first through ToolSearch when Claude Code
 * deferred it, as a model must — and the tool result Claude Code sends back is what the scenario's
 * assertions check.
 */

export const mcpToolName = (server: ServerName, tool: string) => `mcp__${MCP_SERVER_NAMES[server]}__${tool}`;
const TOOL_SEARCH = 'ToolSearch';
const isMcpTool = (tool: ToolDefinition) => tool.name.startsWith('mcp__');
/** A definition as Claude Code shows it to the model: name, description and input schema (never an output schema). */
const shownForm = (tool: ToolDefinition) => ({ name: tool.name, description: tool.description, input_schema: tool.input_schema });

export interface ClaudeCodeSessionOptions {
  binary: string;
  model: ScriptedStandInModel<MessagesRequestBody>;
  servers: Record<ServerName, URL>;
  /** Static bearer tokens of the scenario's identity, one per server. */
  tokens: Record<ServerName, string>;
  identity: Identity;
  prompts: Record<string, string>;
  /** Claude Code's tool names to allow (`--allowedTools`). */
  allowedTools: string[];
  /** `ENABLE_TOOL_SEARCH`: false puts every MCP tool definition up front, true defers them. Default: as Claude Code ships (deferred, in 2.1.330). */
  toolSearch?: boolean;
  log?: (line: string) => void;
}

/** The "## <server>" parts of the "# MCP Server Instructions" section Claude Code adds to its system prompt, one per server with instructions. */
function serverInstructions(body: MessagesRequestBody): TokenTotal {
  const texts: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([body.system, body.messages]);
  const text = texts.find((candidate) => candidate.includes('# MCP Server Instructions')) ?? '';
  const parts = SERVER_NAMES.map(
    (server) => new RegExp(`\\n## ${MCP_SERVER_NAMES[server]}\\n[\\s\\S]*?(?=\\n## |\\n\\nThe following |\\n# |$)`).exec(text)?.[0],
  ).filter((part): part is string => part !== undefined);
  return { count: parts.length, tokens: parts.reduce((sum, part) => sum + countTokens(part.trim()), 0) };
}

export class ClaudeCodeError extends Error {
  override name = 'ClaudeCodeError';
}

export class ClaudeCodeSession implements ScenarioClient {
  readonly name = 'claude-code';
  readonly steps = new ShownSteps();
  readonly #options: ClaudeCodeSessionOptions;
  readonly #home: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  readonly #loaded = new Map<string, ToolDefinition>();
  #stderr = '';
  #turn: StandInTurn<MessagesRequestBody> | undefined;
  #prompt: string | undefined;
  #firstBody: MessagesRequestBody | undefined;
  #mcpServers: Array<{ name: string; status: string }> = [];
  #results = 0;
  #resultWaiters: Array<() => void> = [];

  constructor(options: ClaudeCodeSessionOptions) {
    this.#options = options;
    this.#home = mkdtempSync(join(tmpdir(), 'plane-mcp-claude-code-'));
    const work = join(this.#home, 'work');
    mkdirSync(join(this.#home, 'tmp'), { recursive: true });
    mkdirSync(work, { recursive: true });
    const configFile = join(this.#home, 'mcp.json');
    const mcpServers = Object.fromEntries(
      SERVER_NAMES.map((server) => [
        MCP_SERVER_NAMES[server],
        { type: 'http', url: options.servers[server].href, headers: { Authorization: `Bearer ${options.tokens[server]}` } },
      ]),
    );
    writeFileSync(configFile, JSON.stringify({ mcpServers }), { mode: 0o600 });
    const args = ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose'];
    args.push(
      '--mcp-config',
      configFile,
      '--strict-mcp-config',
      '--no-session-persistence',
      '--allowedTools',
      options.allowedTools.join(','),
    );
    this.#child = spawn(options.binary, args, { cwd: work, env: this.#environment(), stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-4000)));
    this.#child.stdin!.on('error', () => {}); // a closed pipe shows up as the exit below
    createInterface({ input: this.#child.stdout! }).on('line', (line) => this.#onEvent(line));
    this.#exited = new Promise((resolve) => {
      this.#child.on('exit', (code) => {
        options.model.abort(
          new ClaudeCodeError(`Claude Code exited (code ${code})${this.#stderr ? `: ${this.#stderr.trim().slice(-600)}` : ''}`),
        );
        for (const waiter of this.#resultWaiters.splice(0)) waiter();
        resolve(code);
      });
      this.#child.on('error', (error) => {
        options.model.abort(new ClaudeCodeError(`Claude Code did not start: ${error.message}`));
        resolve(null);
      });
    });
    options.log?.(`  claude-code: started (${describeIdentity(options.identity)}; model endpoint = stand-in ${options.model.url})`);
  }

  /** Only the identity's own tool calls of the story; everything else is played directly by the runner. */
  handles(step: Step, phase: 'setup' | 'step', identity: Identity): boolean {
    return phase === 'step' && step.tool !== undefined && describeIdentity(identity) === describeIdentity(this.#options.identity);
  }

  async attempt(step: Step, args: Record<string, unknown>, options: { prompt?: string; timeoutSeconds: number }): Promise<Observation> {
    const timeoutMs = (options.timeoutSeconds + 30) * 1000;
    await this.#ensurePrompt(options.prompt, timeoutMs);
    const name = mcpToolName(step.server, step.tool!);
    let shown: ShownResult;
    try {
      shown = (await this.#loadTool(name, this.steps.entry(step.name, name), timeoutMs)) ?? (await this.#roundTrip(name, args, timeoutMs));
    } catch (error) {
      this.steps.attempt(step.name, name, undefined);
      throw error;
    }
    this.steps.attempt(step.name, name, shown);
    return toObservation(shown);
  }

  /** Close the conversation: a last text turn, end of input, and the CLI's exit. */
  async finish(): Promise<void> {
    try {
      if (this.#turn) await this.#endTurn('(stand-in model) That is all.', 60_000);
      this.#child.stdin!.end();
      const exit = await Promise.race([
        this.#exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000).unref()),
      ]);
      if (exit === 'timeout') this.#child.kill('SIGTERM');
    } finally {
      if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
      rmSync(this.#home, { recursive: true, force: true });
    }
  }

  /** The tokens of what the model was shown (see token-report.ts). */
  tokenReport(scenario: string, direct: string[], offered?: ClientTokenReport['offered']): ClientTokenReport {
    const body = this.#firstBody;
    const upFront = (body?.tools ?? []).filter((tool) => isMcpTool(tool) && !tool.defer_loading);
    const toolSearch = upFront.length === 0 && (body?.tools ?? []).some((tool) => tool.name === TOOL_SEARCH);
    const names = body ? [...new Set(JSON.stringify([body.system, body.messages]).match(/mcp__plane-[a-z]+__[a-z_]+/g) ?? [])] : [];
    return {
      scenario,
      client: this.name,
      toolSearch,
      definitions: toolSearch ? sumDefinitions([...this.#loaded.values()].map(shownForm)) : sumDefinitions(upFront.map(shownForm)),
      ...(offered ? { offered } : !toolSearch && upFront.length ? { offered: sumDefinitions(upFront.map(shownForm)) } : {}),
      ...(toolSearch ? { deferredNames: { count: names.length, tokens: countTokens(names.join('\n')) } } : {}),
      ...(body ? { instructions: serverInstructions(body) } : {}),
      steps: this.steps.list(),
      direct,
    };
  }

  /** Ask one question and return the MCP tool definitions Claude Code sent up front with it (all of them when tool search is off). */
  async upFrontDefinitions(question: string, timeoutMs = 60_000): Promise<object[]> {
    await this.#ensurePrompt(undefined, timeoutMs, question);
    return (this.#firstBody?.tools ?? []).filter((tool) => isMcpTool(tool) && !tool.defer_loading).map(shownForm);
  }

  #environment(): NodeJS.ProcessEnv {
    const home = this.#home;
    return {
      PATH: process.env.PATH,
      HOME: home,
      USERPROFILE: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      CLAUDE_CONFIG_DIR: join(home, '.claude'),
      TMPDIR: join(home, 'tmp'),
      ANTHROPIC_BASE_URL: this.#options.model.url,
      ANTHROPIC_API_KEY: 'stand-in-model-no-real-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      // Nothing but loopback: anything else would go to a proxy that is not there.
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost,::1',
      NO_COLOR: '1',
      ...(this.#options.toolSearch === undefined ? {} : { ENABLE_TOOL_SEARCH: String(this.#options.toolSearch) }),
    };
  }

  #onEvent(line: string): void {
    let event: { type?: string; subtype?: string; mcp_servers?: Array<{ name: string; status: string }> };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.type === 'system' && event.subtype === 'init' && event.mcp_servers) this.#mcpServers = event.mcp_servers;
    if (event.type === 'result') {
      this.#results++;
      for (const waiter of this.#resultWaiters.splice(0)) waiter();
    }
  }

  #send(text: string): void {
    this.#child.stdin!.write(`${JSON.stringify({ type: 'user', message: { role: 'user', content: text } })}\n`);
  }

  async #ensurePrompt(prompt: string | undefined, timeoutMs: number, fallback = 'Go on.'): Promise<void> {
    if (this.#turn && (prompt === undefined || prompt === this.#prompt)) return;
    if (this.#turn) await this.#endTurn('(stand-in model) Done with that question.', timeoutMs);
    this.#prompt = prompt;
    this.#send(prompt ? this.#options.prompts[prompt]! : fallback);
    this.#turn = await this.#options.model.nextTurn(timeoutMs);
    this.#firstBody ??= this.#turn.request.body;
    const down = this.#mcpServers.filter((server) => server.status !== 'connected');
    if (down.length) throw new ClaudeCodeError(`Claude Code could not connect: ${down.map((s) => `${s.name} ${s.status}`).join(', ')}`);
  }

  async #endTurn(text: string, timeoutMs: number): Promise<void> {
    const seen = this.#results;
    this.#turn!.reply({ text });
    this.#turn = undefined;
    await new Promise<void>((resolve, reject) => {
      if (this.#results > seen) return resolve();
      const timer = setTimeout(() => reject(new ClaudeCodeError('Claude Code did not finish its turn')), timeoutMs);
      this.#resultWaiters.push(() => (clearTimeout(timer), resolve()));
    });
  }

  /** Reply with a tool call; the next request carries its result. */
  async #roundTrip(name: string, input: Record<string, unknown>, timeoutMs: number): Promise<ShownResult> {
    const id = this.#turn!.reply({ toolUse: { name, input } })!;
    this.#turn = undefined;
    this.#turn = await this.#options.model.nextTurn(timeoutMs);
    const result = findToolResult(this.#turn.request.body, id);
    if (!result) throw new ClaudeCodeError(`Claude Code's next request carried no result for the ${name} call`);
    const shown = classifyShown(contentText(result.content), result.is_error === true);
    return Array.isArray(result.content) && result.content.some((block) => block.type === 'tool_reference')
      ? { ...shown, text: JSON.stringify(result.content) }
      : shown;
  }

  /** With tool search, a model must load a deferred tool before calling it: ToolSearch `select:<name>`. */
  async #loadTool(name: string, record: ShownStep, timeoutMs: number): Promise<ShownResult | undefined> {
    const tools = this.#turn!.request.body.tools ?? [];
    const offered = tools.find((tool) => tool.name === name);
    if ((offered && !offered.defer_loading) || this.#loaded.has(name) || !tools.some((tool) => tool.name === TOOL_SEARCH)) return undefined;
    const shown = await this.#roundTrip(TOOL_SEARCH, { query: `select:${name}`, max_results: 1 }, timeoutMs);
    const definition = this.#turn!.request.body.tools?.find((tool) => tool.name === name);
    if (shown.isError || !definition || !shown.text.includes(`"tool_name":"${name}"`))
      return { ...shown, isError: true, text: `ToolSearch did not load ${name}: ${shown.text}` };
    this.#loaded.set(name, definition);
    record.loaded = { count: record.loaded.count + 1, tokens: record.loaded.tokens + definitionTokens(shownForm(definition)) };
    return undefined;
  }
}
