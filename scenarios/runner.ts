import { InsufficientScopeError, UnauthorizedError, type Client } from '@modelcontextprotocol/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { countTokens, resultTokens } from './tokens.js';
import { evaluate, withImplicitSuccess, type Observation } from './assertions.js';
import { Connections, describeIdentity, type Endpoints } from './connections.js';
import type { Identity, Scenario, ServerName, Step } from './format.js';
import { lookup } from './paths.js';
import { resolveTemplates, TemplateError, type TemplateContext } from './templating.js';

/**
 * Plays scenarios against running servers with a real MCP client: each step is resolved (templates),
 * called (retried while its `until` assertions fail, within its timeout), checked, and reported with
 * its duration and the token size of its result.
 */

export interface TokenCount {
  text: number;
  structured: number;
}

export interface StepReport {
  name: string;
  phase: 'setup' | 'step';
  prompt?: string;
  server: ServerName;
  /** The tool, `tools/list`, or `http <method>`. */
  call: string;
  identity: string;
  /** The assistant client that made the call (absent: the runner called directly). */
  via?: string;
  status: 'passed' | 'failed' | 'skipped';
  failures: string[];
  attempts: number;
  durationMs: number;
  /** Tokens of the (final) result, o200k_base. */
  tokens: TokenCount;
  /** What the final attempt observed (for debugging and tests). */
  observation?: Observation;
}

export interface MeasureReport {
  label: string;
  from: string;
  to: string;
  /** Steps from `from` to `to`: one call each, as an assistant would make. */
  toolCalls: number;
  /** Calls including the retries made while waiting for the runtime. */
  attempts: number;
  tokens: TokenCount;
  durationMs: number;
}

export interface ScenarioReport {
  id: string;
  title: string;
  passed: boolean;
  steps: StepReport[];
  totals: { toolCalls: number; attempts: number; tokens: TokenCount; durationMs: number };
  measure?: MeasureReport;
  /** The results by step name and the saved variables, for inspection. */
  context: TemplateContext;
}

export interface RunOptions {
  /** Called with each line of the report as it happens (default: nothing; see formatScenarioReport). */
  log?: (line: string) => void;
  /** Keep going after a failed step (later steps may then fail on missing results). Default false. */
  continueOnFailure?: boolean;
  /** A bound on every single call, in seconds (default 60). */
  callTimeoutSeconds?: number;
  /** Overrides of the scenario's `variables` (e.g. `{namespace: 'staging-copy'}`). */
  variables?: Record<string, unknown>;
  /** An assistant that makes the steps' tool calls instead of the runner (see ScenarioClient); default none. */
  client?: ScenarioClient;
}

/**
 * An assistant client the runner plays a scenario through (e.g. Claude Code driven by a stand-in
 * model). The runner keeps the scenario's logic — templating, retries, assertions, saved values —
 * and asks the client for each attempt of the steps it `handles`; every other step (set-up, other
 * identities, `listTools`, `http`) the runner makes itself, as without a client.
 */
export interface ScenarioClient {
  /** A short name for reports, e.g. `claude-code`. */
  readonly name: string;
  handles(step: Step, phase: 'setup' | 'step', identity: Identity): boolean;
  /** Make the step's call once, with its resolved arguments, and report what came back. */
  attempt(step: Step, args: Record<string, unknown>, options: { prompt?: string; timeoutSeconds: number }): Promise<Observation>;
}

const zero = (): TokenCount => ({ text: 0, structured: 0 });
const add = (a: TokenCount, b: TokenCount): TokenCount => ({ text: a.text + b.text, structured: a.structured + b.structured });

function errorCodeOf(result: { _meta?: Record<string, unknown> }): string | undefined {
  const error = result._meta?.['plane-mcp/error'] as { code?: string } | undefined;
  return error?.code;
}

function textOf(content: unknown): string {
  return ((content ?? []) as Array<{ text?: string }>).map((block) => block.text ?? '').join('\n');
}

/** A refusal the client threw, as an observation (403 insufficient_scope, 401), or any other exception. */
function observeThrown(error: unknown): Observation {
  if (error instanceof InsufficientScopeError) {
    return {
      isError: true,
      httpStatus: 403,
      insufficientScope: error.requiredScope !== undefined ? { requiredScope: error.requiredScope } : {},
      text: error.message,
      data: {
        requiredScope: error.requiredScope,
        resourceMetadataUrl: error.resourceMetadataUrl?.href,
        errorDescription: error.errorDescription,
      },
      thrown: `403 insufficient_scope: ${error.message}`,
    };
  }
  if (error instanceof UnauthorizedError)
    return { isError: true, httpStatus: 401, text: error.message, data: undefined, thrown: `401: ${error.message}` };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { isError: true, text: message, data: undefined, thrown: message };
}

export class ScenarioRunner {
  readonly connections: Connections;
  readonly #ownsConnections: boolean;

  constructor(endpoints: Endpoints | Connections) {
    this.#ownsConnections = !(endpoints instanceof Connections);
    this.connections = endpoints instanceof Connections ? endpoints : new Connections(endpoints);
  }

  async close(): Promise<void> {
    if (this.#ownsConnections) await this.connections.close();
  }

  async run(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioReport> {
    const log = options.log ?? (() => {});
    const context: TemplateContext = { steps: {}, vars: { ...scenario.variables, ...options.variables }, times: {}, now: () => new Date() };
    const reports: StepReport[] = [];
    const started = Date.now();
    let failed = false;
    let lastPrompt: string | undefined;
    log(`▶ ${scenario.title} (${scenario.id}) — as ${describeIdentity(scenario.identity)}`);
    for (const [phase, steps] of [
      ['setup', scenario.setup],
      ['step', scenario.steps],
    ] as const) {
      for (const step of steps) {
        if (failed && !options.continueOnFailure) {
          reports.push(this.#skipped(step, phase, scenario.identity));
          log(`  - ${step.name}: skipped`);
          continue;
        }
        if (phase === 'step' && step.prompt && step.prompt !== lastPrompt) {
          lastPrompt = step.prompt;
          log(`  » ${step.prompt}: "${scenario.prompts[step.prompt]!.replace(/\s+/g, ' ').trim()}"`);
        }
        const report = await this.#runStep(step, phase, scenario.identity, context, options);
        reports.push(report);
        log(formatStepLine(report));
        if (report.status === 'failed') failed = true;
      }
    }
    const executed = reports.filter((report) => report.phase === 'step' && report.status !== 'skipped');
    const totals = {
      toolCalls: executed.length,
      attempts: executed.reduce((sum, report) => sum + report.attempts, 0),
      tokens: executed.reduce((sum, report) => add(sum, report.tokens), zero()),
      durationMs: Date.now() - started,
    };
    const report: ScenarioReport = { id: scenario.id, title: scenario.title, passed: !failed, steps: reports, totals, context };
    if (scenario.measure && !failed) report.measure = measure(scenario.measure, reports);
    log(formatTotals(report));
    return report;
  }

  #skipped(step: Step, phase: 'setup' | 'step', defaultIdentity: Identity): StepReport {
    return {
      name: step.name,
      phase,
      ...(step.prompt ? { prompt: step.prompt } : {}),
      server: step.server,
      call: callName(step),
      identity: describeIdentity(step.as ?? defaultIdentity),
      status: 'skipped',
      failures: [],
      attempts: 0,
      durationMs: 0,
      tokens: zero(),
    };
  }

  async #runStep(
    step: Step,
    phase: 'setup' | 'step',
    defaultIdentity: Identity,
    context: TemplateContext,
    options: RunOptions,
  ): Promise<StepReport> {
    const identity = step.as ?? defaultIdentity;
    const client = options.client?.handles(step, phase, identity) ? options.client : undefined;
    const started = Date.now();
    const deadline = started + (step.retry?.timeoutSeconds ?? 0) * 1000;
    let attempts = 0;
    let observation: Observation;
    let failures: string[] = [];
    for (;;) {
      attempts++;
      observation = await this.#attempt(step, identity, context, options, client);
      if (!step.retry) break;
      let untilFailures: string[];
      try {
        untilFailures = evaluate(resolveTemplates(step.retry.until, context), observation);
      } catch (error) {
        untilFailures = [(error as Error).message];
      }
      if (untilFailures.length === 0) break;
      if (Date.now() + step.retry.intervalSeconds * 1000 > deadline) {
        failures = [
          `retry gave up after ${((Date.now() - started) / 1000).toFixed(1)} s and ${attempts} attempts: ${untilFailures.join('; ')}`,
        ];
        break;
      }
      await sleep(step.retry.intervalSeconds * 1000);
    }
    context.steps[step.name] = observation.data;
    context.times[step.name] = new Date();
    if (failures.length === 0) {
      try {
        failures = evaluate(withImplicitSuccess(resolveTemplates(step.expect, context)), observation);
      } catch (error) {
        failures = [(error as Error).message];
      }
    }
    for (const [variable, path] of Object.entries(step.save ?? {})) {
      const found = lookup(observation.data, path);
      if (found.found) context.vars[variable] = found.value;
      else failures.push(`save ${variable}: the result has no ${found.missing}`);
    }
    const tokens =
      observation.thrown && observation.data === undefined ? zero() : client ? shownTokens(observation) : tokensOf(step, observation);
    return {
      name: step.name,
      phase,
      ...(step.prompt ? { prompt: step.prompt } : {}),
      server: step.server,
      call: callName(step),
      identity: describeIdentity(identity),
      ...(client ? { via: client.name } : {}),
      status: failures.length ? 'failed' : 'passed',
      failures,
      attempts,
      durationMs: Date.now() - started,
      tokens,
      observation,
    };
  }

  async #attempt(
    step: Step,
    identity: Identity,
    context: TemplateContext,
    options: RunOptions,
    client: ScenarioClient | undefined,
  ): Promise<Observation> {
    const timeoutSeconds = options.callTimeoutSeconds ?? 60;
    let args: Record<string, unknown>;
    try {
      args = resolveTemplates(step.arguments, context);
    } catch (error) {
      if (error instanceof TemplateError) return { isError: true, text: error.message, data: undefined, thrown: error.message };
      throw error;
    }
    if (client) {
      try {
        return await client.attempt(step, args, { ...(step.prompt ? { prompt: step.prompt } : {}), timeoutSeconds });
      } catch (error) {
        return observeThrown(error);
      }
    }
    try {
      if (step.http) return await this.#http(step, identity, args);
      const mcp: Client = await this.connections.client(identity, step.server);
      if (step.listTools) {
        const { tools } = await mcp.listTools(undefined, { timeout: timeoutSeconds * 1000, cacheMode: 'bypass' });
        return { isError: false, text: '', data: { tools, names: tools.map((tool) => tool.name), count: tools.length } };
      }
      const result = await mcp.callTool({ name: step.tool!, arguments: args }, { timeout: timeoutSeconds * 1000 });
      const errorCode = result.isError ? errorCodeOf(result) : undefined;
      return {
        isError: result.isError === true,
        ...(errorCode ? { errorCode } : {}),
        text: textOf(result.content),
        data: result.structuredContent ?? (result.isError ? result._meta?.['plane-mcp/error'] : undefined),
      };
    } catch (error) {
      return observeThrown(error);
    }
  }

  /** A raw JSON-RPC POST, to see what a client sees at the HTTP level (status, WWW-Authenticate). */
  async #http(step: Step, identity: Identity, args: Record<string, unknown>): Promise<Observation> {
    const http = step.http!;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    };
    if (!http.noToken) headers.authorization = `Bearer ${await this.connections.token(identity, http.tokenFor ?? step.server)}`;
    const response = await fetch(this.connections.endpoints.servers[step.server], {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: http.method, params: http.params ?? (Object.keys(args).length ? args : {}) }),
    });
    const body = await response.text();
    let parsed: unknown = body;
    try {
      parsed = JSON.parse(body);
    } catch {
      // Not JSON (an SSE stream or plain text): keep the text.
    }
    return {
      isError: response.status >= 400,
      httpStatus: response.status,
      text: body,
      data: { status: response.status, headers: Object.fromEntries(response.headers), body: parsed },
    };
  }
}

function callName(step: Step): string {
  if (step.listTools) return 'tools/list';
  if (step.http) return `http ${step.http.method}`;
  return step.tool!;
}

function tokensOf(step: Step, observation: Observation): TokenCount {
  if (step.listTools) return { text: 0, structured: countTokens(JSON.stringify((observation.data as { tools: unknown }).tools)) };
  if (step.http) return { text: countTokens(observation.text), structured: 0 };
  return resultTokens({ content: [{ text: observation.text }], structuredContent: observation.data });
}

/** A client's result is what its model was shown: the text, counted as structured when it was structuredContent's JSON. */
function shownTokens(observation: Observation): TokenCount {
  const tokens = countTokens(observation.text);
  return observation.data === undefined ? { text: tokens, structured: 0 } : { text: 0, structured: tokens };
}

function measure(spec: { label: string; from: string; to: string }, reports: StepReport[]): MeasureReport {
  const steps = reports.filter((report) => report.phase === 'step');
  const from = steps.findIndex((report) => report.name === spec.from);
  const to = steps.findIndex((report) => report.name === spec.to);
  const window = steps.slice(from, to + 1);
  return {
    ...spec,
    toolCalls: window.length,
    attempts: window.reduce((sum, report) => sum + report.attempts, 0),
    tokens: window.reduce((sum, report) => add(sum, report.tokens), zero()),
    durationMs: window.reduce((sum, report) => sum + report.durationMs, 0),
  };
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const fmt = (value: number) => value.toLocaleString('en-US');

export function formatStepLine(report: StepReport): string {
  const mark = report.status === 'passed' ? '✓' : report.status === 'failed' ? '✗' : '-';
  const where = `${report.via ? `${report.via}→` : ''}${report.server === 'control-plane' ? 'cp' : 'obs'}/${report.call}`;
  const retries = report.attempts > 1 ? ` ×${report.attempts}` : '';
  const line = `  ${mark} ${report.phase === 'setup' ? '[setup] ' : ''}${pad(report.name, 28)} ${pad(where, 32)} ${pad(report.identity, 26)} ${String(report.durationMs).padStart(6)} ms${pad(retries, 5)} tokens ${fmt(report.tokens.text)} text / ${fmt(report.tokens.structured)} structured`;
  return report.failures.length ? `${line}\n${report.failures.map((failure) => `      ✗ ${failure}`).join('\n')}` : line;
}

export function formatTotals(report: ScenarioReport): string {
  const { totals } = report;
  const lines = [
    `  ${report.passed ? 'PASSED' : 'FAILED'} ${report.id}: ${totals.toolCalls} tool calls (${totals.attempts} with retries), result tokens ${fmt(totals.tokens.text)} text / ${fmt(totals.tokens.structured)} structured, ${(totals.durationMs / 1000).toFixed(1)} s`,
  ];
  if (report.measure) {
    const m = report.measure;
    lines.push(
      `  measure — ${m.label} (${m.from} → ${m.to}): ${m.toolCalls} tool calls (${m.attempts} with retries), result tokens ${fmt(m.tokens.text)} text / ${fmt(m.tokens.structured)} structured`,
    );
  }
  return lines.join('\n');
}

/** The whole report of one scenario as text. */
export function formatScenarioReport(report: ScenarioReport): string {
  return [`▶ ${report.title} (${report.id})`, ...report.steps.map(formatStepLine), formatTotals(report)].join('\n');
}
