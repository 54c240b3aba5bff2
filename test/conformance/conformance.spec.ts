import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaneName } from '../../shared/config/plane-config.js';
import { toolNode } from './node-runtime.js';
import {
  describeRun,
  EXPECTED_FAILURES_FILE,
  expectedServerFailures,
  knownServerScenarios,
  runConformance,
  startAuthDisabledPlanes,
  type AuthDisabledPlanes,
} from './run-conformance.js';

// The official MCP conformance suite against both servers (authentication disabled on loopback; the
// suite sends no credentials). See run-conformance.ts and expected-failures.yaml.

/** Scenarios both servers must pass whatever the baseline says. */
const REQUIRED = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];

let planes: AuthDisabledPlanes;

beforeAll(async () => {
  await toolNode(); // on Node 20 this fetches Node 24 from the npm registry once
  planes = await startAuthDisabledPlanes();
}, 300_000);
afterAll(() => planes?.close());

describe('expected-failures.yaml', () => {
  it('gives every entry a reason and names only scenarios the suite has', async () => {
    // Each `- scenario` line needs a comment right above it (or at its end) saying why it fails.
    const lines = readFileSync(EXPECTED_FAILURES_FILE, 'utf8').split('\n');
    const withoutReason = lines.flatMap((line, index) => {
      const entry = /^\s+-\s+([\w-]+)\s*(#.*)?$/.exec(line);
      if (!entry) return [];
      const previous = lines
        .slice(0, index)
        .reverse()
        .find((candidate) => candidate.trim() !== '');
      return entry[2] || previous?.trim().startsWith('#') ? [] : [entry[1]];
    });
    expect(withoutReason, 'entries need a comment saying why they fail').toEqual([]);

    const listed = expectedServerFailures();
    expect(new Set(listed).size, 'duplicate entries').toBe(listed.length);
    const known = await knownServerScenarios();
    expect(known).toEqual(expect.arrayContaining(REQUIRED));
    expect(
      listed.filter((scenario) => !known.includes(scenario)),
      'unknown scenario names',
    ).toEqual([]);
    expect(
      listed.filter((scenario) => REQUIRED.includes(scenario)),
      'required scenarios may not be excused',
    ).toEqual([]);
  }, 120_000);
});

describe.each<PlaneName>(['control-plane', 'observability-plane'])('MCP conformance suite: %s', (plane) => {
  it('passes every applicable server scenario; failures are exactly the expected ones', async () => {
    const run = await runConformance(planes.urls[plane]);
    const report = describeRun(plane, run);
    expect(run.scenarios.length, `no scenario results were written:\n${run.output}`).toBeGreaterThan(REQUIRED.length);
    for (const scenario of REQUIRED) {
      expect(run.scenarios.find((result) => result.scenario === scenario)?.clean, `${scenario}\n${report}`).toBe(true);
    }
    expect(run.unexpectedFailures, `regressions (not in expected-failures.yaml):\n${report}`).toEqual([]);
    expect(run.staleEntries, `now passing: remove these from expected-failures.yaml so it stays honest:\n${report}`).toEqual([]);
    expect(run.exitCode, `the suite itself disagrees:\n${run.output}`).toBe(0);
  }, 300_000);
});
