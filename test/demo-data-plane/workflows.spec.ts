import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowRunSchema, type WorkflowRun } from '../../servers/control-plane/domain/resources.js';
import { buildParameters, fileExists } from '../../servers/demo-data-plane/source-repositories.js';
import { connectWithToken } from '../support/mcp-client.js';
import { startHarness, USER, type Harness } from './harness.js';

const BROKEN = '/service-go-greeter/Dockerfile.broken';
const FAILURE = `failed to read dockerfile: open ${BROKEN}: no such file or directory`;

/** Scenario 4: a build whose Dockerfile path does not exist, diagnosed from its logs, then fixed. */
describe('demo data plane: workflow runs', () => {
  let harness: Harness;
  let observability: Client;

  const createRun = async (name: string, dockerfilePath: string) =>
    harness.store.create(
      workflowRunSchema.parse({
        kind: 'WorkflowRun',
        metadata: {
          name,
          namespace: 'default',
          labels: { 'openchoreo.dev/project': 'default', 'openchoreo.dev/component': 'greeting-service' },
        },
        spec: {
          workflow: {
            name: 'dockerfile-builder',
            parameters: {
              repository: 'https://github.com/openchoreo/sample-workloads',
              branch: 'main',
              appPath: '/service-go-greeter',
              dockerfilePath,
            },
          },
          owner: { projectName: 'default', componentName: 'greeting-service' },
        },
      }),
      USER,
    );
  const run = async (name: string) => (await harness.store.get('WorkflowRun', 'default', name)) as WorkflowRun;
  const runUntilDone = async (name: string) => {
    for (let tick = 0; tick < 30; tick++) {
      await harness.ticks(1);
      const phase = (await run(name)).status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return run(name);
    }
    throw new Error(`${name} did not finish`);
  };

  beforeAll(async () => {
    harness = await startHarness({ taskDurationTicks: 1, requestsPerSecond: 0.5 });
    await harness.ticks(2);
    observability = await connectWithToken(
      harness.stack.observabilityPlane.url,
      await harness.stack.serviceToken('sre-agent', 'observability-plane'),
    );
  }, 120_000);
  afterAll(async () => {
    await observability?.close();
    await harness?.close();
  });

  it('a Dockerfile path that does not exist fails build-image with a clear line; later tasks are Skipped', async () => {
    await createRun('greeting-service-build-02', BROKEN);
    const failed = await runUntilDone('greeting-service-build-02');
    expect(failed.status).toMatchObject({ phase: 'Failed', message: `build-image failed: ${FAILURE}` });
    expect(failed.status?.startedAt).toBeDefined();
    expect(failed.status?.completedAt).toBeDefined();
    expect(failed.status?.tasks.map((task) => [task.name, task.phase])).toEqual([
      ['checkout-source', 'Succeeded'],
      ['build-image', 'Failed'],
      ['publish-image', 'Skipped'],
      ['generate-workload', 'Skipped'],
    ]);
    expect(failed.status?.tasks[1]).toMatchObject({ message: FAILURE, startedAt: expect.any(String), completedAt: expect.any(String) });
    expect(failed.status?.releaseName).toBeUndefined();
    expect(await harness.store.get('ComponentRelease', 'default', 'greeting-service-build-02')).toBeUndefined();

    // The backend holds them as workflow logs (not component logs), by run and task.
    const logs = await harness.telemetry.logs.queryWorkflowLogs({
      namespace: 'default',
      runName: 'greeting-service-build-02',
      window: harness.window(),
      limit: 100,
      sort: 'asc',
    });
    expect(logs.lines.map((line) => line.task)).toEqual(expect.arrayContaining(['checkout-source', 'build-image']));
    expect(logs.lines.some((line) => line.task === 'publish-image')).toBe(false);
    expect(logs.lines.at(-1)).toMatchObject({
      level: 'ERROR',
      task: 'build-image',
      message: `ERROR ${FAILURE}`,
      runName: 'greeting-service-build-02',
      component: 'greeting-service',
    });
    const checkout = await harness.telemetry.logs.queryWorkflowLogs({
      namespace: 'default',
      runName: 'greeting-service-build-02',
      task: 'checkout-source',
      window: harness.window(),
      limit: 100,
      sort: 'asc',
    });
    expect(checkout.lines[0]?.message).toBe('cloning https://github.com/openchoreo/sample-workloads@main into /mnt/vol/source');
    const component = await harness.telemetry.logs.queryComponentLogs({
      scope: { namespace: 'default', project: 'default', component: 'greeting-service' },
      window: harness.window(),
      search: 'dockerfile',
      limit: 5,
      sort: 'desc',
    });
    expect(component.total).toBe(0);

    // And through the MCP tool, as an agent would ask.
    const result = await observability.callTool({
      name: 'query_workflow_logs',
      arguments: {
        namespace: 'default',
        project: 'default',
        component: 'greeting-service',
        run_name: 'greeting-service-build-02',
        log_levels: ['ERROR'],
      },
    });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const data = result.structuredContent as { lines: Array<{ message: string; task?: string }> };
    expect(data.lines).toHaveLength(1);
    expect(data.lines[0]!.message).toContain(`ERROR ${FAILURE}`);
  });

  it('the right Dockerfile path succeeds, cuts a release and (autoDeploy) rolls the development binding onto it', async () => {
    const before = await harness.store.get('ReleaseBinding', 'default', 'greeting-service-development');
    expect(before?.spec.releaseName).toBe('greeting-service-build-01');
    await createRun('greeting-service-build-03', '/service-go-greeter/Dockerfile');
    const done = await runUntilDone('greeting-service-build-03');
    expect(done.status).toMatchObject({
      phase: 'Succeeded',
      releaseName: 'greeting-service-build-03',
      message: 'Image built and pushed; released as greeting-service-build-03.',
    });
    expect(done.status?.tasks.every((task) => task.phase === 'Succeeded' && task.startedAt && task.completedAt)).toBe(true);
    const release = await harness.store.get('ComponentRelease', 'default', 'greeting-service-build-03');
    expect(release?.spec).toMatchObject({
      image: 'registry.plane.local/greeting-service:greeting-service-build-03',
      owner: { projectName: 'default', componentName: 'greeting-service' },
    });
    expect((await harness.store.get('Component', 'default', 'greeting-service'))?.status?.latestRelease).toBe('greeting-service-build-03');
    const binding = await harness.store.get('ReleaseBinding', 'default', 'greeting-service-development');
    expect(binding?.spec.releaseName).toBe('greeting-service-build-03');
    expect(binding?.metadata.annotations['plane-mcp.dev/changed-by']).toBe('system:demo-data-plane');

    await harness.ticks(3);
    const rolled = await harness.store.get('ReleaseBinding', 'default', 'greeting-service-development');
    expect(rolled?.status).toMatchObject({ readyReplicas: 1, desiredReplicas: 1 });
    expect(rolled?.status?.conditions.find((condition) => condition.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Available',
    });
    const logs = await harness.telemetry.logs.queryWorkflowLogs({
      namespace: 'default',
      runName: 'greeting-service-build-03',
      window: harness.window(),
      limit: 100,
      sort: 'asc',
    });
    const messages = logs.lines.map((line) => line.message);
    expect(messages).toContain('pushing registry.plane.local/greeting-service:greeting-service-build-03');
    expect(messages).toContain('deployed greeting-service-build-03 to development (updated binding greeting-service-development)');
    expect(logs.lines.every((line) => line.level !== 'ERROR')).toBe(true);
  });

  it('a run with no workflow task list, a wrong branch, or an unknown repository behaves like a real build', async () => {
    await harness.store.create(
      workflowRunSchema.parse({
        kind: 'WorkflowRun',
        metadata: { name: 'greeting-service-build-04', namespace: 'default' },
        spec: {
          workflow: {
            name: 'dockerfile-builder',
            parameters: {
              repository: 'https://github.com/openchoreo/sample-workloads.git',
              branch: 'feature-x',
              appPath: '/service-go-greeter',
              dockerfilePath: '/service-go-greeter/Dockerfile',
            },
          },
          owner: { projectName: 'default', componentName: 'greeting-service' },
        },
      }),
      USER,
    );
    const wrongBranch = await runUntilDone('greeting-service-build-04');
    expect(wrongBranch.status).toMatchObject({
      phase: 'Failed',
      message: 'checkout-source failed: fatal: Remote branch feature-x not found in upstream origin',
    });
    expect(wrongBranch.status?.tasks.map((task) => task.phase)).toEqual(['Failed', 'Skipped', 'Skipped', 'Skipped']);

    const unknown = buildParameters({
      repository: { url: 'https://git.example.com/team/app' },
      docker: { context: '/app', filePath: 'Dockerfile' },
      appPath: '/app',
    });
    expect(unknown).toMatchObject({ context: '/app', dockerfile: '/app/Dockerfile' });
    expect(fileExists(unknown, unknown.dockerfile)).toBe(true);
    expect(fileExists(unknown, '/app/Dockerfile.dev')).toBe(false);
    expect(fileExists(buildParameters({ repository: 'https://github.com/openchoreo/sample-workloads' }), '/Dockerfile')).toBe(false);
  });
});
