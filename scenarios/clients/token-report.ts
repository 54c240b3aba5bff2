import { countTokens } from '../tokens.js';
import type { ScenarioReport } from '../runner.js';
import type { ShownAs } from './tool-result.js';

/**
 * Tokens (o200k_base, like the rest of the repository) of what an assistant client showed its model
 * while a scenario was played through it: the tool definitions, and each tool result as sent.
 */

export interface TokenTotal {
  count: number;
  tokens: number;
}

/** One step the client made: its last attempt as the model saw it, and what its retries added. */
export interface ShownStep {
  step: string;
  /** The tool as the client names it to the model (`mcp__plane-control__whoami`). */
  tool: string;
  attempts: number;
  shownAs: ShownAs;
  isError: boolean;
  /** Tokens of the last attempt's result. */
  tokens: number;
  /** Tokens of every attempt's result (what the model read while waiting for the runtime). */
  allAttemptsTokens: number;
  /** Tool definitions the model loaded (tool search) to make this call. */
  loaded: TokenTotal;
}

export interface ClientTokenReport {
  scenario: string;
  client: string;
  /** Whether the client deferred its MCP tools behind tool search (Claude Code's default). */
  toolSearch: boolean;
  /** The definitions the model saw: loaded through tool search, or every tool sent up front. */
  definitions: TokenTotal;
  /** Every MCP tool definition of this identity, as the client sends them with tool search off. */
  offered?: TokenTotal;
  /** The deferred tool names the client lists in its prompt (tool search on). */
  deferredNames?: TokenTotal;
  /** The servers' MCP instructions as the client shows them (count = servers with instructions). */
  instructions?: TokenTotal;
  steps: ShownStep[];
  /** Steps of the scenario played outside the client (set-up, other identities, tools/list, raw HTTP). */
  direct: string[];
}

/** The steps a client made, recorded attempt by attempt. */
export class ShownSteps {
  readonly #steps = new Map<string, ShownStep>();

  /** The record of a step, created on its first attempt. */
  entry(step: string, tool: string): ShownStep {
    let record = this.#steps.get(step);
    if (!record) {
      record = {
        step,
        tool,
        attempts: 0,
        shownAs: 'text',
        isError: false,
        tokens: 0,
        allAttemptsTokens: 0,
        loaded: { count: 0, tokens: 0 },
      };
      this.#steps.set(step, record);
    }
    return record;
  }

  /** One attempt's result as the model was shown it; `undefined` when the attempt broke before a result came back. */
  attempt(step: string, tool: string, shown: { text: string; shownAs: ShownAs; isError: boolean } | undefined): void {
    const record = this.entry(step, tool);
    const tokens = shown ? countTokens(shown.text) : 0;
    Object.assign(record, {
      attempts: record.attempts + 1,
      shownAs: shown?.shownAs ?? 'text',
      isError: shown?.isError ?? true,
      tokens,
      allAttemptsTokens: record.allAttemptsTokens + tokens,
    });
  }

  list(): ShownStep[] {
    return [...this.#steps.values()];
  }
}

/** Tokens of a definition in the form the client sends it (e.g. name, description and input schema). */
export function definitionTokens(definition: object): number {
  return countTokens(JSON.stringify(definition));
}

export function sumDefinitions(definitions: readonly object[]): TokenTotal {
  return { count: definitions.length, tokens: definitions.reduce((sum, definition) => sum + definitionTokens(definition), 0) };
}

export function resultTotals(report: ClientTokenReport) {
  const of = (kind: ShownAs) => report.steps.filter((step) => step.shownAs === kind).reduce((sum, step) => sum + step.tokens, 0);
  return {
    structured: of('structured JSON'),
    text: of('text'),
    last: report.steps.reduce((sum, step) => sum + step.tokens, 0),
    allAttempts: report.steps.reduce((sum, step) => sum + step.allAttemptsTokens, 0),
    loaded: report.steps.reduce((sum, step) => sum + step.loaded.tokens, 0),
  };
}

const fmt = (value: number) => value.toLocaleString('en-US');
const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const left = (text: string, width: number) => text.padStart(width);

/** Per step: what the model was shown through the client. */
export function formatStepTable(report: ClientTokenReport, scenario?: ScenarioReport): string {
  const status = new Map(scenario?.steps.map((step) => [step.name, step.status]) ?? []);
  const lines = [
    `${report.client} × ${report.scenario} — tool search ${report.toolSearch ? 'on' : 'off'}; definitions shown: ${report.definitions.count} tools, ${fmt(report.definitions.tokens)} tokens` +
      (report.offered ? ` (all ${report.offered.count} offered up front: ${fmt(report.offered.tokens)})` : '') +
      (report.deferredNames ? `; deferred names listed: ${report.deferredNames.count}, ${fmt(report.deferredNames.tokens)} tokens` : '') +
      (report.instructions ? `; server instructions: ${report.instructions.count}, ${fmt(report.instructions.tokens)} tokens` : ''),
    `  ${pad('step', 26)} ${pad('tool as shown', 46)} ${pad('result as', 15)} ${left('tokens', 7)} ${left('×', 3)} ${left('all', 7)} ${left('defs', 6)}  outcome`,
  ];
  for (const step of report.steps) {
    const outcome = step.isError ? 'is_error' : status.get(step.step) === 'failed' ? 'failed' : 'ok';
    lines.push(
      `  ${pad(step.step, 26)} ${pad(step.tool, 46)} ${pad(step.shownAs, 15)} ${left(fmt(step.tokens), 7)} ${left(String(step.attempts), 3)} ${left(fmt(step.allAttemptsTokens), 7)} ${left(step.loaded.count ? fmt(step.loaded.tokens) : '', 6)}  ${outcome}`,
    );
  }
  if (report.direct.length) lines.push(`  played outside ${report.client}: ${report.direct.join(', ')}`);
  return lines.join('\n');
}

/** One line per scenario: definitions and results, for the README and the test log. */
export function formatSummaryTable(reports: readonly ClientTokenReport[]): string {
  const header = `| scenario | calls through the client | definitions shown (tools, tokens) | all definitions up front | server instructions | results: structured JSON | results: text | results with retries |`;
  const rows = reports.map((report) => {
    const totals = resultTotals(report);
    const calls = report.steps.length;
    return `| ${report.scenario} | ${calls} | ${report.definitions.count}, ${fmt(report.definitions.tokens)} | ${report.offered ? `${report.offered.count}, ${fmt(report.offered.tokens)}` : '—'} | ${report.instructions ? fmt(report.instructions.tokens) : '—'} | ${fmt(totals.structured)} | ${fmt(totals.text)} | ${fmt(totals.allAttempts)} |`;
  });
  return [header, '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}
