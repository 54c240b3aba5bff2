import { describeIdentity } from '../connections.js';
import type { Identity, Scenario, ServerName } from '../format.js';
import type { RunOptions, ScenarioReport, ScenarioRunner } from '../runner.js';
import { ClaudeCodeSession, mcpToolName } from './claude-code-client.js';
import { ScriptedStandInModel } from './scripted-model.js';
import { sumDefinitions, type ClientTokenReport, type TokenTotal } from './token-report.js';

/**
 * One scenario through Claude Code: a fresh stand-in model and a fresh `claude -p` per scenario,
 * with static tokens of the scenario's identity (client credentials, or a person's login as the
 * runner gets it). The runner plays the scenario as always and hands the identity's tool calls to
 * Claude Code; the rest it plays directly.
 */

export interface ClaudeCodePlayOptions extends Omit<RunOptions, 'client'> {
  /** The Claude Code binary (install-cli.ts). */
  binary: string;
  /** false: every MCP tool definition up front (`ENABLE_TOOL_SEARCH=false`); default: Claude Code's own default (tool search). */
  toolSearch?: boolean;
  /** With tool search on, also measure what all definitions cost up front (one more short Claude Code run per identity). Default true. */
  measureOffered?: boolean;
  /** Offered-definition measurements by identity, shared between the scenarios of a run. */
  offeredCache?: Map<string, Promise<TokenTotal>>;
}

const SERVERS: ServerName[] = ['control-plane', 'observability-plane'];

async function tokensFor(runner: ScenarioRunner, identity: Identity): Promise<Record<ServerName, string>> {
  const [control, observability] = await Promise.all(SERVERS.map((server) => runner.connections.token(identity, server)));
  return { 'control-plane': control!, 'observability-plane': observability! };
}

/** Every MCP tool definition Claude Code sends up front for this identity (tool search off). */
async function measureOffered(runner: ScenarioRunner, identity: Identity, binary: string): Promise<TokenTotal> {
  const model = await ScriptedStandInModel.start();
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

export async function playThroughClaudeCode(
  runner: ScenarioRunner,
  scenario: Scenario,
  options: ClaudeCodePlayOptions,
): Promise<{ report: ScenarioReport; tokens: ClientTokenReport }> {
  const { binary, toolSearch, measureOffered: wantOffered = true, offeredCache, ...runOptions } = options;
  const identity = scenario.identity;
  const model = await ScriptedStandInModel.start(options.log ? { log: options.log } : {});
  const session = new ClaudeCodeSession({
    binary,
    model,
    servers: runner.connections.endpoints.servers,
    tokens: await tokensFor(runner, identity),
    identity,
    prompts: scenario.prompts,
    allowedTools: [
      ...new Set(
        scenario.steps
          .filter((step) => step.tool && (!step.as || describeIdentity(step.as) === describeIdentity(identity)))
          .map((step) => mcpToolName(step.server, step.tool!)),
      ),
    ],
    ...(toolSearch === undefined ? {} : { toolSearch }),
    ...(options.log ? { log: options.log } : {}),
  });
  let report: ScenarioReport;
  try {
    report = await runner.run(scenario, { ...runOptions, client: session });
  } finally {
    await session.finish();
    await model.close();
  }
  const direct = report.steps.filter((step) => !step.via && step.status !== 'skipped').map((step) => step.name);
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
