import type { Client } from '@modelcontextprotocol/client';
import { performance } from 'node:perf_hooks';
import { componentReleaseSchema, componentSchema, releaseBindingSchema } from '../../servers/control-plane/domain/resources.js';
import { createResourceStore, type StoreConfig } from '../../servers/control-plane/store/create-store.js';
import type { ResourceStore } from '../../servers/control-plane/store/resource-store.js';
import { connectWithToken } from '../support/mcp-client.js';
import { createTestDatabase, startPostgresServer } from '../support/postgres.js';
import { startTestStack } from '../support/stack.js';

const COMPONENTS = 10_000;
const PROJECT = 'gcp-microservice-demo';
const actor = { subject: 'system:bench', clientId: 'bench' };

export interface Timing {
  meanMs: number;
  p99Ms: number;
  perSecond: number;
}

async function time(iterations: number, run: (i: number) => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 20; i++) await run(i);
  const durations: number[] = [];
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await run(i);
    durations.push(performance.now() - t0);
  }
  const elapsed = performance.now() - started;
  durations.sort((a, b) => a - b);
  return {
    meanMs: durations.reduce((a, b) => a + b, 0) / durations.length,
    p99Ms: durations[Math.floor(durations.length * 0.99)]!,
    perSecond: (iterations / elapsed) * 1000,
  };
}

/** 10,000 components (and a development binding for the first 1,000) in the Online Boutique project. */
async function seed(store: ResourceStore): Promise<void> {
  for (let i = 0; i < COMPONENTS; i++) {
    const name = `svc-${String(i).padStart(5, '0')}`;
    await store.create(
      componentSchema.parse({
        kind: 'Component',
        metadata: { name, namespace: 'default' },
        spec: { owner: { projectName: PROJECT }, componentType: 'deployment/service', image: `registry.invalid/${name}:1` },
      }),
      actor,
    );
    if (i < 1000) {
      await store.create(
        componentReleaseSchema.parse({
          kind: 'ComponentRelease',
          metadata: { name: `${name}-r1`, namespace: 'default' },
          spec: {
            owner: { projectName: PROJECT, componentName: name },
            componentType: 'deployment/service',
            image: `registry.invalid/${name}:1`,
            defaults: { replicas: 1, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '100m', memory: '256Mi' } } },
          },
        }),
        actor,
      );
      await store.create(
        releaseBindingSchema.parse({
          kind: 'ReleaseBinding',
          metadata: { name: `${name}-development`, namespace: 'default' },
          spec: { owner: { projectName: PROJECT, componentName: name }, environment: 'development', releaseName: `${name}-r1` },
        }),
        actor,
      );
    }
  }
}

/** list_components and update_release_binding through the full stack, against the same store call made directly. */
async function benchStore(name: string, storeEnv: Record<string, string>, storeConfig: (dataDir: string) => StoreConfig) {
  const stack = await startTestStack({ storeEnv });
  const direct = await createResourceStore(storeConfig(stack.dataDir));
  try {
    const seeding = performance.now();
    await seed(direct);
    const seedSeconds = (performance.now() - seeding) / 1000;
    const client: Client = await connectWithToken(stack.controlPlane.url, await stack.userToken('dev', 'control-plane'));
    const listArgs = { namespace_name: 'default', project_name: PROJECT, limit: 100 };
    const listDirect = await time(200, () => direct.list({ kind: 'Component', namespace: 'default', project: PROJECT, limit: 100 }));
    const listMcp = await time(200, async () => {
      const result = await client.callTool({ name: 'list_components', arguments: listArgs });
      if (result.isError) throw new Error(JSON.stringify(result.content));
    });
    const binding = (i: number) => `svc-${String(i % 1000).padStart(5, '0')}-development`;
    const updateDirect = await time(500, (i) =>
      direct.modify('ReleaseBinding', 'default', binding(i), actor, (current) => ({
        ...current,
        spec: { ...current.spec, overrides: { ...current.spec.overrides, replicas: (i % 5) + 1 } },
      })),
    );
    const updateMcp = await time(500, async (i) => {
      const result = await client.callTool({
        name: 'update_release_binding',
        arguments: { namespace_name: 'default', binding_name: binding(i), replicas: (i % 5) + 1 },
      });
      if (result.isError) throw new Error(JSON.stringify(result.content));
    });
    await client.close();
    return { store: name, components: await direct.count('Component'), seedSeconds, listDirect, listMcp, updateDirect, updateMcp };
  } finally {
    await direct.close();
    await stack.close();
  }
}

export async function benchControlPlane() {
  const results = [
    await benchStore('sqlite', { PLANE_STORE: 'sqlite' }, (dataDir) => ({ backend: 'sqlite', file: `${dataDir}/control-plane.sqlite` })),
  ];
  const postgres = await startPostgresServer();
  try {
    const database = await createTestDatabase(postgres.url);
    results.push(
      await benchStore('postgres', { PLANE_STORE: 'postgres', PLANE_DATABASE_URL: database.url }, () => ({
        backend: 'postgres',
        url: database.url,
      })),
    );
  } finally {
    await postgres.stop();
  }
  return results;
}
