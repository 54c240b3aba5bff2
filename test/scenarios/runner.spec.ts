import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../scenarios/assertions.js';
import { loadScenarios, parseScenario, ScenarioFileError, type Scenario } from '../../scenarios/format.js';
import { ScenarioRunner } from '../../scenarios/runner.js';
import { resolveTemplates, type TemplateContext } from '../../scenarios/templating.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** The scenario format, templating and assertions, and the runner against real servers (no data plane needed). */

const scenarioText = (steps: string, extra = '') => `
title: t
description: d
identity: { client: readonly-assistant }
prompts:
  ask: Something a person would ask.
${extra}
steps:
${steps}
`;

function scenario(steps: string, extra = ''): Scenario {
  return parseScenario(scenarioText(steps, extra), 'inline.yaml');
}

describe('scenario files', () => {
  it('load and validate: every shipped scenario', () => {
    const scenarios = loadScenarios('scenarios');
    expect(scenarios.map((s) => s.id).sort()).toEqual([
      'authorization',
      'build-failure',
      'getting-started',
      'log-analysis',
      'resource-right-sizing',
      'service-deployment',
    ]);
    for (const s of scenarios) {
      for (const step of s.steps) expect(step.prompt, `${s.id}/${step.name}`).toBeDefined();
    }
  });

  it('name the file and the field of every problem', () => {
    const bad = scenarioText(`  - name: one
    server: control-plane
    tool: list_namespaces
    expect:
      - path: x
        lenght: 3
  - name: two
    server: data-plane
    tool: whoami
  - name: three
    server: control-plane
    tool: whoami
    listTools: true`);
    let error: unknown;
    try {
      parseScenario(bad, 'scenarios/broken.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScenarioFileError);
    const message = (error as Error).message;
    expect(message).toContain('scenarios/broken.yaml');
    expect(message).toMatch(/steps\[0\]\.expect\[0\].*lenght/);
    expect(message).toMatch(/steps\[1\]\.server/);
    expect(message).toMatch(/steps\[2\].*exactly one of tool, listTools, http/);
  });

  it('refuse bad YAML, a missing identity and duplicate step names', () => {
    expect(() => parseScenario('title: [', 'a.yaml')).toThrow(/a\.yaml: invalid scenario[\s\S]*not valid YAML/);
    expect(() =>
      parseScenario(
        scenarioText('  - { name: x, server: control-plane, tool: whoami }').replace('identity: { client: readonly-assistant }', ''),
        'b.yaml',
      ),
    ).toThrow(/b\.yaml[\s\S]*identity/);
    expect(() => parseScenario(scenarioText('  - { name: x, prompt: nope, server: control-plane, tool: whoami }'), 'e.yaml')).toThrow(
      /e\.yaml[\s\S]*steps\[0\]\.prompt: unknown prompt nope \(prompts: ask\)/,
    );
    expect(() =>
      parseScenario(
        scenarioText('  - { name: x, server: control-plane, tool: whoami }\n  - { name: x, server: control-plane, tool: whoami }'),
        'c.yaml',
      ),
    ).toThrow(/steps\[1\]\.name: duplicate step name x/);
    expect(() =>
      parseScenario(scenarioText('  - { name: x, server: control-plane, tool: whoami, as: { client: nobody } }'), 'd.yaml'),
    ).toThrow(/d\.yaml[\s\S]*steps\[0\]\.as\.client/);
  });
});

describe('templating', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  const context: TemplateContext = {
    steps: { 'find-trace': { traces: [{ traceId: 'abc', spans: 3 }] } },
    vars: { version: '42', count: 7, run: { name: 'r-1' } },
    times: { fix: new Date('2026-03-01T11:59:00.000Z') },
    now: () => now,
  };

  it('computes times relative to now and to when a step finished', () => {
    expect(resolveTemplates({ a: '${now}', b: '${now-15m}', c: '${now+1h}', d: '${times.fix+30s}', e: '${now - 2d}' }, context)).toEqual({
      a: '2026-03-01T12:00:00.000Z',
      b: '2026-03-01T11:45:00.000Z',
      c: '2026-03-01T13:00:00.000Z',
      d: '2026-03-01T11:59:30.000Z',
      e: '2026-02-27T12:00:00.000Z',
    });
  });

  it('reads earlier results and saved variables, keeping their types', () => {
    expect(
      resolveTemplates(
        {
          id: '${steps.find-trace.traces[0].traceId}',
          n: '${steps.find-trace.traces[-1].spans}',
          v: '${version}',
          c: '${vars.count}',
          r: '${run.name}',
          s: 'run ${run.name} of ${count}',
          list: ['${count}'],
        },
        context,
      ),
    ).toEqual({
      id: 'abc',
      n: 3,
      v: '42',
      c: 7,
      r: 'r-1',
      s: 'run r-1 of 7',
      list: [7],
    });
  });

  it('says which reference is missing', () => {
    expect(() => resolveTemplates('${steps.nope.x}', context)).toThrow(/no step named nope has run/);
    expect(() => resolveTemplates('${steps.find-trace.traces[3].traceId}', context)).toThrow(
      /find-trace's result has no traces\[3\] \(array has 1\)/,
    );
    expect(() => resolveTemplates('${missing}', context)).toThrow(/unknown variable missing \(saved: version, count, run\)/);
    expect(() => resolveTemplates('${version+5m}', context)).toThrow(/is not a time/);
  });
});

describe('assertions', () => {
  const observation = {
    isError: false,
    text: 'found 2 traces',
    data: {
      traces: [
        { id: 'a', errors: 0, services: ['frontend', 'cart'] },
        { id: 'b', errors: 2, services: ['frontend', 'productcatalog'] },
      ],
      total: 2,
    },
  };

  it('pass when they hold', () => {
    expect(
      evaluate(
        [
          { isError: false },
          { path: 'total', equals: 2, min: 1, max: 2 },
          {
            path: 'traces',
            length: { min: 1, max: 5 },
            some: [
              { path: 'errors', min: 1 },
              { path: 'services', contains: 'productcatalog' },
            ],
          },
          {
            path: 'traces',
            every: [{ path: 'services', contains: 'frontend' }],
            none: [{ path: 'id', equals: 'z' }],
            contains: { id: 'b' },
          },
          { path: 'traces[0].id', oneOf: ['a', 'c'], matches: '^[a-z]$' },
          { path: 'traces[5]', exists: false },
          { text: { contains: '2 traces', notContains: 'error' } },
          { anyOf: [[{ path: 'total', equals: 3 }], [{ path: 'total', equals: 2 }]] },
        ],
        observation,
      ),
    ).toEqual([]);
  });

  it('say what failed and what was seen', () => {
    const failures = evaluate(
      [
        { path: 'total', equals: 3 },
        { path: 'traces', every: [{ path: 'errors', equals: 0 }] },
        { path: 'traces', none: [{ path: 'services', contains: 'productcatalog' }] },
        { path: 'traces[0].missing', exists: true },
        { path: 'nothing.here', equals: 1 },
        { errorCode: 'ERR_FORBIDDEN' },
        { text: { contains: 'spans' } },
      ],
      observation,
    );
    expect(failures).toEqual([
      'total: expected 3, got 2',
      'traces[1] (every): errors: expected 0, got 2',
      expect.stringMatching(/^traces\[1\] \(none\): element matches, but none should/),
      'traces[0].missing: expected to exist, it is absent',
      'nothing.here: not found',
      'errorCode: expected ERR_FORBIDDEN, got none',
      'text: expected to contain "spans", got "found 2 traces"',
    ]);
  });
});

describe('the runner against real servers', () => {
  let stack: TestStack;
  let runner: ScenarioRunner;
  beforeAll(async () => {
    stack = await startTestStack();
    runner = new ScenarioRunner({
      issuer: stack.issuer,
      servers: { 'control-plane': stack.controlPlane.url, 'observability-plane': stack.observabilityPlane.url },
    });
  });
  afterAll(async () => {
    await runner?.close();
    await stack?.close();
  });

  it('reports a failing assertion with the step, and skips the rest', async () => {
    const report = await runner.run(
      scenario(`  - name: namespaces
    prompt: ask
    server: control-plane
    tool: list_namespaces
    expect:
      - path: namespaces
        length: 7
  - name: projects
    prompt: ask
    server: control-plane
    tool: list_projects
    arguments: { namespace_name: default }`),
    );
    expect(report.passed).toBe(false);
    const [namespaces, projects] = report.steps;
    expect(namespaces).toMatchObject({
      name: 'namespaces',
      status: 'failed',
      call: 'list_namespaces',
      identity: 'client:readonly-assistant',
      attempts: 1,
    });
    expect(namespaces!.failures).toEqual(['namespaces: expected length 7, got 1']);
    expect(namespaces!.tokens.structured).toBeGreaterThan(0);
    expect(projects!.status).toBe('skipped');
  });

  it('fails a step whose call errored unless the error was expected', async () => {
    const report = await runner.run(
      scenario(`  - name: missing
    prompt: ask
    server: control-plane
    tool: get_project
    arguments: { namespace_name: default, project_name: no-such-project }
  - name: expected-missing
    prompt: ask
    server: control-plane
    tool: get_project
    arguments: { namespace_name: default, project_name: no-such-project }
    expect:
      - errorCode: ERR_NOT_FOUND
      - path: message
        contains: no-such-project`),
      { continueOnFailure: true },
    );
    expect(report.steps[0]!.failures).toEqual([
      expect.stringMatching(/^isError: expected false, got true \(ERR_NOT_FOUND: .*no-such-project/),
    ]);
    expect(report.steps[1]!.status).toBe('passed');
  });

  it('passes earlier results and saved variables into later arguments and expectations', async () => {
    const report = await runner.run(
      scenario(`  - name: bindings
    prompt: ask
    server: control-plane
    tool: list_release_bindings
    arguments: { namespace_name: default, component_name: productcatalog }
    save: { binding: 'bindings[0].name' }
  - name: binding
    prompt: ask
    server: control-plane
    tool: get_release_binding
    arguments: { namespace_name: default, binding_name: '\${binding}' }
    save: { version: resourceVersion }
  - name: again
    prompt: ask
    server: control-plane
    tool: get_release_binding
    arguments: { namespace_name: '\${steps.binding.namespace}', binding_name: '\${steps.bindings.bindings[0].name}' }
    expect:
      - path: resourceVersion
        equals: '\${version}'
      - path: name
        equals: productcatalog-development
  - name: logs
    prompt: ask
    server: observability-plane
    tool: query_component_logs
    arguments: { namespace: default, start_time: '\${now-30m}', end_time: '\${times.again}' }
    expect:
      - path: window.end
        equals: '\${times.again}'`),
    );
    expect(report.steps.map((step) => [step.name, step.status, step.failures])).toEqual([
      ['bindings', 'passed', []],
      ['binding', 'passed', []],
      ['again', 'passed', []],
      ['logs', 'passed', []],
    ]);
    expect(report.context.vars).toMatchObject({ binding: 'productcatalog-development' });
    expect(report.totals.toolCalls).toBe(4);
    expect(report.totals.tokens.text + report.totals.tokens.structured).toBeGreaterThan(100);
  });

  it('reads the scenario variables, which a run may override', async () => {
    const text = `  - name: project
    prompt: ask
    server: control-plane
    tool: get_project
    arguments: { namespace_name: '\${namespace}', project_name: default }`;
    const played = scenario(text, 'variables: { namespace: default }');
    expect((await runner.run(played)).passed).toBe(true);
    const elsewhere = await runner.run(played, { variables: { namespace: 'elsewhere' } });
    expect(elsewhere.steps[0]!.failures[0]).toMatch(/ERR_NOT_FOUND: .*elsewhere/);
  });

  it('retries until its condition holds, and gives up at the timeout saying why', async () => {
    const started = Date.now();
    const report = await runner.run(
      scenario(`  - name: never
    prompt: ask
    server: control-plane
    tool: list_namespaces
    retry:
      until:
        - path: namespaces
          length: 2
      timeoutSeconds: 1.5
      intervalSeconds: 0.5`),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const [step] = report.steps;
    expect(step!.attempts).toBeGreaterThanOrEqual(3);
    expect(step!.failures).toEqual([
      expect.stringMatching(/^retry gave up after 1\.\d s and \d attempts: namespaces: expected length 2, got 1$/),
    ]);
  });

  it('records scope refusals, raw HTTP answers and an unresolvable argument as results', async () => {
    const report = await runner.run(
      scenario(`  - name: write-with-read-token
    prompt: ask
    server: control-plane
    as: { client: ci-deployer, scope: 'controlplane:read' }
    tool: update_release_binding
    arguments: { namespace_name: default, binding_name: cart-development, replicas: 2 }
    expect:
      - httpStatus: 403
      - insufficientScope: controlplane:write
  - name: no-token
    prompt: ask
    server: observability-plane
    http: { noToken: true }
    expect:
      - httpStatus: 401
      - path: headers.www-authenticate
        contains: resource_metadata=
  - name: bad-reference
    prompt: ask
    server: control-plane
    tool: list_namespaces
    arguments: { limit: '\${steps.nowhere.count}' }`),
      { continueOnFailure: true },
    );
    expect(report.steps.map((step) => step.status)).toEqual(['passed', 'passed', 'failed']);
    expect(report.steps[2]!.failures[0]).toMatch(/no step named nowhere has run/);
  });

  it('measures calls and result tokens between two steps', async () => {
    const report = await runner.run(
      scenario(
        `  - { name: a, prompt: ask, server: control-plane, tool: whoami }
  - { name: b, prompt: ask, server: control-plane, tool: list_namespaces }
  - { name: c, prompt: ask, server: control-plane, tool: list_environments, arguments: { namespace_name: default } }`,
        'measure: { label: part, from: b, to: c }',
      ),
    );
    const [, b, c] = report.steps;
    expect(report.measure).toMatchObject({
      label: 'part',
      toolCalls: 2,
      attempts: 2,
      tokens: { text: b!.tokens.text + c!.tokens.text, structured: b!.tokens.structured + c!.tokens.structured },
    });
  });
});
