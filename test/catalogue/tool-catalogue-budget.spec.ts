import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWithToken } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { countTokens } from '../../scenarios/tokens.js';

/**
 * The tool catalogue is part of every caller's context window. This measures the tokens of `tools/list`
 * (as JSON, the way a client hands it to a model) per server and per role, and fails when any grows
 * more than 5% over the committed baseline. After a deliberate change, refresh the baseline with
 * `PLANE_UPDATE_TOOL_BUDGET=1 npx vitest run test/catalogue`.
 */
const BASELINE_FILE = fileURLToPath(new URL('./tool-catalogue-baseline.json', import.meta.url));
const ALLOWED_GROWTH = 1.05;
const ROLES = {
  'control-plane': ['admin', 'dev', 'viewer', 'ci-deployer', 'readonly-assistant'],
  'observability-plane': ['admin', 'dev', 'viewer', 'sre-agent', 'readonly-assistant'],
} as const;
const USERS = new Set(['admin', 'dev', 'viewer', 'sre', 'platform']);

type Measurements = Record<string, Record<string, { tools: number; tokens: number }>>;

let stack: TestStack;
const measured: Measurements = {};

beforeAll(async () => {
  stack = await startTestStack();
  for (const [plane, roles] of Object.entries(ROLES) as Array<[keyof typeof ROLES, readonly string[]]>) {
    measured[plane] = {};
    const url = plane === 'control-plane' ? stack.controlPlane.url : stack.observabilityPlane.url;
    for (const role of roles) {
      const token = USERS.has(role) ? await stack.userToken(role, plane) : await stack.serviceToken(role, plane);
      const client = await connectWithToken(url, token);
      const { tools } = await client.listTools();
      // The fixture note tools exist only in tests; the catalogue is what users get.
      const catalogue = tools.filter((tool) => !tool.name.endsWith('_note'));
      measured[plane]![role] = { tools: catalogue.length, tokens: countTokens(JSON.stringify(catalogue)) };
      await client.close();
    }
  }
  if (process.env.PLANE_UPDATE_TOOL_BUDGET === '1') writeFileSync(BASELINE_FILE, `${JSON.stringify(measured, null, 2)}\n`);
}, 120_000);
afterAll(() => stack?.close());

describe('tool catalogue token budget', () => {
  it('has a committed baseline', () => {
    expect(existsSync(BASELINE_FILE)).toBe(true);
  });

  for (const [plane, roles] of Object.entries(ROLES)) {
    for (const role of roles) {
      it(`${plane} as ${role} stays within 5% of the baseline`, () => {
        const baseline = (JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as Measurements)[plane]?.[role];
        const now = measured[plane]![role]!;
        console.log(`${plane} ${role}: ${now.tools} tools, ${now.tokens} tokens (baseline ${baseline?.tokens ?? 'none'})`);
        expect(baseline, `no baseline for ${plane}/${role}`).toBeDefined();
        expect(now.tokens).toBeLessThanOrEqual(Math.ceil(baseline!.tokens * ALLOWED_GROWTH));
      });
    }
  }

  it('shows each role fewer tools than the admin (filtered per caller)', () => {
    expect(measured['control-plane']!['readonly-assistant']!.tools).toBeLessThan(measured['control-plane']!.admin!.tools);
    expect(measured['observability-plane']!.viewer!.tools).toBeLessThan(measured['observability-plane']!.admin!.tools);
  });
});
