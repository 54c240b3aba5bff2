import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeIdentity } from '../connections.js';
import type { Identity, Scenario, ServerName } from '../format.js';
import type { RunOptions, ScenarioReport, ScenarioRunner } from '../runner.js';
import { ClaudeCodeSession, mcpToolName } from './claude-code-client.js';
import { CodexSession } from './codex-client.js';
import { CLAUDE_CODE, CODEX, type CliPackage } from './install-cli.js';
import { messagesApi } from './messages-api.js';
import { SERVER_NAMES } from './mcp-servers.js';
import { responsesApi } from './responses-api.js';
import { ScriptedStandInModel, type RecordedRequest } from './scripted-model.js';
import { sumDefinitions, type ClientTokenReport, type TokenTotal } from './token-report.js';

/**
 * One scenario through an assistant CLI: a fresh stand-in model and a fresh CLI session per
 * scenario, with static tokens of the scenario's identity (client credentials, or a person's login
 * as the runner gets it). The runner plays the scenario as always and hands the identity's tool
 * calls to the CLI; the rest it plays directly.
 */

export const ASSISTANT_CLIENTS = ['claude-code', 'codex'] as const;
export type AssistantClient = (typeof ASSISTANT_CLIENTS)[number];
export const CLIENT_PACKAGES: Record<AssistantClient, CliPackage> = { 'claude-code': CLAUDE_CODE, codex: CODEX };

export interface ClientPlayOptions extends Omit<RunOptions, 'client'> {
  /** Which CLI; default claude-code. */
  client?: AssistantClient;
  /** The CLI's binary (install-cli.ts). */
  binary: string;
  /** Claude Code only. false: every MCP tool definition up front (`ENABLE_TOOL_SEARCH=false`); default: as Claude Code ships (tool search). */
  toolSearch?: boolean;
  /** Claude Code with tool search: also measure what all definitions cost up front (one more short run per identity). Default true. */
  measureOffered?: boolean;
  /** Offered-definition measurements by identity, shared between the scenarios of a run. */
  offeredCache?: Map<string, Promise<TokenTotal>>;
  /** Write every request the stand-in model received (credentials removed) to `<dir>/<scenario>.<client>.requests.json`. */
  recordDir?: string;
}

export interface PlayedScenario {
  report: ScenarioReport;
  tokens: ClientTokenReport;
}

async function tokensFor(runner: ScenarioRunner, identity: Identity): Promise<Record<ServerName, string>> {
  const tokens = await Promise.all(SERVER_NAMES.map((server) => runner.connections.token(identity, server)));
  return Object.fromEntries(SERVER_NAMES.map((server, index) => [server, tokens[index]!])) as Record<ServerName, string>;
}

/** Every MCP tool definition Claude Code sends up front for this identity (tool search off). */
async function measureOffered(runner: ScenarioRunner, identity: Identity, binary: string): Promise<TokenTotal> {
  const model = await ScriptedStandInModel.start(messagesApi);
  const session = new ClaudeCodeSession({
    binary,
    model,
    servers: runner.connections.endpoints.servers,
    tokens: await tokensFor(runner, identity),
    identity,
    prompts: {},
    allowedTools: [],
    toolSearch: false,
  });
  try {
    return sumDefinitions(await session.upFrontDefinitions('Which tools can you use on the platform?'));
  } finally {
    await session.finish();
    await model.close();
  }
}

async function playThroughClaudeCode(runner: ScenarioRunner, scenario: Scenario, options: ClientPlayOptions): Promise<PlayedScenario> {
  const {
    binary,
    toolSearch,
    measureOffered: wantOffered = true,
    offeredCache,
    client: _client,
    recordDir: _record,
    ...runOptions
  } = options;
  const identity = scenario.identity;
  const model = await ScriptedStandInModel.start(messagesApi, options.log ? { log: options.log } : {});
  const ownCalls = scenario.steps.filter((step) => step.tool && (!step.as || describeIdentity(step.as) === describeIdentity(identity)));
  const session = new ClaudeCodeSession({
    binary,
    model,
    servers: runner.connections.endpoints.servers,
    tokens: await tokensFor(runner, identity),
    identity,
    prompts: scenario.prompts,
    allowedTools: [...new Set(ownCalls.map((step) => mcpToolName(step.server, step.tool!)))],
    ...(toolSearch === undefined ? {} : { toolSearch }),
    ...(options.log ? { log: options.log } : {}),
  });
  let report: ScenarioReport;
  try {
    report = await runner.run(scenario, { ...runOptions, client: session });
  } finally {
    await session.finish();
    await model.close();
    saveRequests(options, scenario, model);
  }
  const direct = directSteps(report);
  let tokens = session.tokenReport(scenario.id, direct);
  if (tokens.toolSearch && wantOffered) {
    const key = describeIdentity(identity);
    let offered = offeredCache?.get(key);
    if (!offered) {
      offered = measureOffered(runner, identity, binary);
      offeredCache?.set(key, offered);
    }
    tokens = session.tokenReport(scenario.id, direct, await offered);
  }
  return { report, tokens };
}

async function playThroughCodex(runner: ScenarioRunner, scenario: Scenario, options: ClientPlayOptions): Promise<PlayedScenario> {
  const {
    binary,
    toolSearch: _toolSearch,
    measureOffered: _measure,
    offeredCache: _cache,
    client: _client,
    recordDir: _record,
    ...runOptions
  } = options;
  const model = await ScriptedStandInModel.start(responsesApi, options.log ? { log: options.log } : {});
  const session = new CodexSession({
    binary,
    model,
    servers: runner.connections.endpoints.servers,
    tokens: await tokensFor(runner, scenario.identity),
    identity: scenario.identity,
    prompts: scenario.prompts,
    ...(options.log ? { log: options.log } : {}),
  });
  let report: ScenarioReport;
  try {
    report = await runner.run(scenario, { ...runOptions, client: session });
  } finally {
    await session.finish();
    await model.close();
    saveRequests(options, scenario, model);
  }
  return { report, tokens: session.tokenReport(scenario.id, directSteps(report)) };
}

function saveRequests(options: ClientPlayOptions, scenario: Scenario, model: { requests: readonly RecordedRequest[] }): void {
  if (!options.recordDir) return;
  mkdirSync(options.recordDir, { recursive: true });
  const file = join(options.recordDir, `${scenario.id}.${options.client ?? 'claude-code'}.requests.json`);
  writeFileSync(file, `${JSON.stringify(model.requests, null, 2)}\n`);
}

function directSteps(report: ScenarioReport): string[] {
  return report.steps.filter((step) => !step.via && step.status !== 'skipped').map((step) => step.name);
}

export function playThroughClient(runner: ScenarioRunner, scenario: Scenario, options: ClientPlayOptions): Promise<PlayedScenario> {
  return (options.client ?? 'claude-code') === 'codex'
    ? playThroughCodex(runner, scenario, options)
    : playThroughClaudeCode(runner, scenario, options);
}
