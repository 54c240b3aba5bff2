import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { applyDirectory, listYamlFiles } from '../../servers/control-plane/gitops/apply-directory.js';
import { DEMO_LOADER_ACTOR, DEMO_ORGANISATION_DIR } from '../../servers/control-plane/gitops/load-demo.js';
import type { ResourceStore } from '../../servers/control-plane/store/resource-store.js';
import { startDemoDataPlane, type DemoDataPlane } from '../../servers/demo-data-plane/demo-data-plane.js';
import { createOtlpWriter } from '../../servers/observability-plane/backends/embedded/otlp-writer.js';
import { createOpenSearchPrometheusWriter } from '../../servers/observability-plane/backends/opensearch-prometheus-writer.js';
import { createOpenSearchBackend } from '../../servers/observability-plane/backends/opensearch/index.js';
import type { TelemetryWriter } from '../../servers/observability-plane/backends/telemetry-writer.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { loadScenarios, type Scenario } from '../../scenarios/format.js';
import { formatScenarioReport, ScenarioRunner, type ScenarioReport } from '../../scenarios/runner.js';
import { makeTempDir, removeTempDir } from '../support/identity.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Every scenario in scenarios/ against a stack started here, with the demo data plane running on it
 * (fast ticks), played by the same runner `npm run scenarios` uses; then the scenarios that read
 * telemetry again with the observability plane on OpenSearch + Prometheus.
 */

const SCENARIOS = loadScenarios('scenarios');
/** Looking around first, then the incidents, then building something new (any order passes; this one reads best). */
const ORDER = ['getting-started', 'authorization', 'log-analysis', 'build-failure', 'resource-right-sizing', 'service-deployment'];
const ordered = [...SCENARIOS].sort((a, b) => rank(a) - rank(b));
function rank(scenario: Scenario): number {
  const index = ORDER.indexOf(scenario.id);
  return index < 0 ? ORDER.length : index;
}

interface Backend {
  observabilityEnv: () => Record<string, string>;
  writer: (stack: TestStack) => { writer: TelemetryWriter; close?: () => Promise<void> };
  /**
   * Where the demo organisation lives. OpenSearch and Prometheus are shared by every test file of the
   * run, and the observability tool suite counts exact lines in namespace `default`: this run plays
   * in a namespace of its own so neither sees the other's telemetry.
   */
  namespace?: string;
}

/** The demo organisation, moved to another namespace, applied to an empty store. */
async function loadDemoOrganisationInto(store: ResourceStore, namespace: string): Promise<void> {
  const directory = makeTempDir('plane-mcp-demo-');
  try {
    for (const file of await listYamlFiles(DEMO_ORGANISATION_DIR)) {
      const documents = parseAllDocuments(readFileSync(join(DEMO_ORGANISATION_DIR, file), 'utf8')).flatMap((document) => {
        const resource = document.toJS() as { kind: string; metadata: { name: string; namespace?: string } } | null;
        if (!resource) return [];
        if (resource.kind === 'Namespace') resource.metadata.name = namespace;
        else resource.metadata.namespace = namespace;
        return [stringify(resource)];
      });
      writeFileSync(join(directory, file.replaceAll('/', '-')), documents.join('---\n'));
    }
    const report = await applyDirectory(store, directory, DEMO_LOADER_ACTOR);
    if (report.errors.length) throw new Error(`demo organisation in ${namespace}: ${JSON.stringify(report.errors)}`);
  } finally {
    removeTempDir(directory);
  }
}

function describeScenarios(name: string, scenarios: readonly Scenario[], backend: Backend) {
  describe(`scenarios on ${name}`, () => {
    let stack: TestStack;
    let dataPlane: DemoDataPlane;
    let runner: ScenarioRunner;
    let closeWriter: (() => Promise<void>) | undefined;
    const reports: ScenarioReport[] = [];

    beforeAll(async () => {
      stack = await startTestStack({
        observabilityEnv: backend.observabilityEnv(),
        ...(backend.namespace ? { storeEnv: { PLANE_LOAD_DEMO: 'false' } } : {}),
      });
      if (backend.namespace) await loadDemoOrganisationInto(stack.controlPlaneStore, backend.namespace);
      const { writer, close } = backend.writer(stack);
      closeWriter = close;
      // Fast: a tick every 200 ms, one tick per build task, pods start the next tick, plenty of shoppers.
      dataPlane = startDemoDataPlane({
        store: stack.controlPlaneStore,
        writer,
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
    }, 60_000);

    afterAll(async () => {
      console.log(`\nscenarios on ${name}\n\n${reports.map(formatScenarioReport).join('\n\n')}\n`);
      await runner?.close();
      await dataPlane?.close();
      await closeWriter?.();
      await stack?.close();
    });

    for (const scenario of scenarios) {
      it(`${scenario.id}: ${scenario.title}`, async () => {
        const report = await runner.run(scenario, backend.namespace ? { variables: { namespace: backend.namespace } } : {});
        reports.push(report);
        expect(report.passed, formatScenarioReport(report)).toBe(true);
        if (scenario.measure) expect(report.measure?.toolCalls).toBeGreaterThan(0);
      }, 150_000);
    }
  });
}

describeScenarios('the embedded store (fed over OTLP/HTTP)', ordered, {
  observabilityEnv: () => ({ PLANE_OBSERVABILITY_BACKEND: 'embedded' }),
  writer: (stack) => {
    const otlp = stack.observabilityPlane.running.otlp;
    if (!otlp) throw new Error('the embedded backend did not start OTLP ingest');
    return { writer: createOtlpWriter(otlp.url, otlp.token) };
  },
});

describeScenarios(
  'OpenSearch + Prometheus',
  ordered.filter((scenario) => scenario.needs.includes('observability')),
  {
    observabilityEnv: () => ({
      PLANE_OBSERVABILITY_BACKEND: 'opensearch',
      PLANE_OPENSEARCH_URL: inject('opensearchUrl'),
      PLANE_PROMETHEUS_URL: inject('prometheusUrl'),
    }),
    namespace: 'scenario-replay',
    writer: () => {
      const opensearch = createOpenSearchBackend({ url: inject('opensearchUrl') });
      return { writer: createOpenSearchPrometheusWriter(opensearch, inject('prometheusUrl')), close: () => opensearch.close() };
    },
  },
);
