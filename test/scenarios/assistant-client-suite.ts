import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { CliUnavailableError, locateCli } from '../../scenarios/clients/install-cli.js';
import { CLIENT_PACKAGES, playThroughClient, type AssistantClient } from '../../scenarios/clients/play-through-client.js';
import { formatStepTable, formatSummaryTable, type ClientTokenReport, type TokenTotal } from '../../scenarios/clients/token-report.js';
import { loadScenarios, parseScenario } from '../../scenarios/format.js';
import { formatScenarioReport, ScenarioRunner } from '../../scenarios/runner.js';
import { startDemoDataPlane, type DemoDataPlane } from '../../servers/demo-data-plane/demo-data-plane.js';
import { createOtlpWriter } from '../../servers/observability-plane/backends/embedded/otlp-writer.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The five reference scenarios played through a real assistant CLI (Claude Code, Codex), pinned and
 * installed from the npm registry into .tools/, driven by a scripted stand-in model, on a fresh
 * stack with the demo data plane; prints the tokens the CLI showed its model. Skipped, loudly, only
 * when the CLI cannot be installed because the npm registry is out of reach.
 */

const REFERENCE = ['getting-started', 'log-analysis', 'build-failure', 'resource-right-sizing', 'service-deployment'];
const SCENARIOS = loadScenarios('scenarios', REFERENCE);

const inline = (steps: string) =>
  parseScenario(
    `title: t\ndescription: d\nidentity: { client: readonly-assistant }\nprompts:\n  ask: Show me the project called missing.\nsteps:\n${steps}`,
    'inline.yaml',
  );
const MISSING_PROJECT = `  - name: missing-project
    prompt: ask
    server: control-plane
    tool: get_project
    arguments: { namespace_name: default, project_name: missing }
`;

export function describeAssistantClient(client: AssistantClient): void {
  describe(`scenarios through ${client}`, () => {
    const cli = CLIENT_PACKAGES[client];
    let binary: string | undefined;
    let unavailable: string | undefined;
    let stack: TestStack;
    let dataPlane: DemoDataPlane;
    let runner: ScenarioRunner;
    const offeredCache = new Map<string, Promise<TokenTotal>>();
    const tables: string[] = [];
    const shown: ClientTokenReport[] = [];

    beforeAll(async () => {
      try {
        binary = await locateCli(cli);
      } catch (error) {
        if (!(error instanceof CliUnavailableError)) throw error;
        unavailable = error.message;
        const banner = '!'.repeat(100);
        console.warn(`\n${banner}\nSKIPPING the ${client} harness: ${unavailable}\n${banner}\n`);
        return;
      }
      stack = await startTestStack({ observabilityEnv: { PLANE_OBSERVABILITY_BACKEND: 'embedded' } });
      const otlp = stack.observabilityPlane.running.otlp;
      if (!otlp) throw new Error('the embedded backend did not start OTLP ingest');
      dataPlane = startDemoDataPlane({
        store: stack.controlPlaneStore,
        writer: createOtlpWriter(otlp.url, otlp.token),
        logger: createLogger({ name: 'demo-data-plane', level: 'warn' }),
        tickMilliseconds: 200,
        taskDurationTicks: 1,
        podStartTicks: 1,
        requestsPerSecond: 10,
      });
      runner = new ScenarioRunner({
        issuer: stack.issuer,
        servers: { 'control-plane': stack.controlPlane.url, 'observability-plane': stack.observabilityPlane.url },
      });
    }, 900_000);

    afterAll(async () => {
      if (shown.length)
        console.log(
          `\nTokens ${client} ${cli.version} showed its model (o200k_base)\n\n${tables.join('\n\n')}\n\n${formatSummaryTable(shown)}\n`,
        );
      await runner?.close();
      await dataPlane?.close();
      await stack?.close();
    });

    function requireCli(context: TestContext): string {
      if (!binary) context.skip(`${client} cannot be installed: ${unavailable}`);
      return binary!;
    }

    for (const scenario of SCENARIOS) {
      it(`${scenario.id}: ${scenario.title}`, async (context) => {
        const { report, tokens } = await playThroughClient(runner, scenario, { client, binary: requireCli(context), offeredCache });
        tables.push(formatStepTable(tokens, report));
        shown.push(tokens);
        expect(report.passed, `${formatScenarioReport(report)}\n${formatStepTable(tokens, report)}`).toBe(true);
        // Every tool call of the scenario's own identity went through the CLI, and none came back an error.
        const throughClient = report.steps.filter((step) => step.via === client).map((step) => step.name);
        expect(throughClient.length).toBeGreaterThan(0);
        expect(tokens.steps.map((step) => step.step)).toEqual(throughClient);
        expect(tokens.steps.filter((step) => step.isError)).toEqual([]);
        expect(tokens.steps.every((step) => step.tokens > 0)).toBe(true);
        expect(tokens.definitions.tokens).toBeGreaterThan(0);
        expect(tokens.offered!.count).toBeGreaterThanOrEqual(tokens.definitions.count);
        // Both servers' MCP instructions reach the model, each once.
        expect(tokens.instructions?.count).toBe(2);
        expect(tokens.instructions!.tokens).toBeGreaterThan(40);
      }, 300_000);
    }

    it('fails a step whose result the CLI reports as an error, and reads the error code from what the model sees', async (context) => {
      const cliBinary = requireCli(context);
      const failed = await playThroughClient(runner, inline(MISSING_PROJECT), { client, binary: cliBinary, measureOffered: false });
      expect(failed.report.passed).toBe(false);
      expect(failed.report.steps[0]!.failures.join('\n')).toMatch(
        /isError: expected false, got true \([^)]*ERR_NOT_FOUND: Project default\/missing not found/,
      );
      expect(failed.tokens.steps[0]).toMatchObject({ step: 'missing-project', isError: true, shownAs: 'text', attempts: 1 });

      const expected = await playThroughClient(runner, inline(`${MISSING_PROJECT}    expect: [{ errorCode: ERR_NOT_FOUND }]\n`), {
        client,
        binary: cliBinary,
        measureOffered: false,
      });
      expect(expected.report.passed, formatScenarioReport(expected.report)).toBe(true);
    }, 120_000);

    if (client === 'claude-code') {
      it('with tool search off, shows every MCP tool definition up front and loads none', async (context) => {
        const step = `  - name: who
    prompt: ask
    server: control-plane
    tool: whoami
    expect: [{ path: subject.id, equals: readonly-assistant }]
`;
        const { report, tokens } = await playThroughClient(runner, inline(step), {
          client,
          binary: requireCli(context),
          toolSearch: false,
        });
        expect(report.passed, formatScenarioReport(report)).toBe(true);
        expect(tokens.toolSearch).toBe(false);
        expect(tokens.definitions).toEqual(tokens.offered);
        expect(tokens.definitions.count).toBeGreaterThan(20);
        expect(tokens.steps[0]).toMatchObject({ shownAs: 'structured JSON', loaded: { count: 0, tokens: 0 } });
      }, 120_000);
    }
  });
}
