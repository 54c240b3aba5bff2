import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWithToken, errorOf, textOf } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Every control-plane tool over HTTP with tokens from the embedded identity provider, on the demo
 * organisation: a success, a denied caller (with the explanation) and bad input (nothing changed).
 * Run once per store by the *.spec.ts files beside it.
 */

/** Test-only policy: finops-agent may not read namespace-level catalogue objects or runs in `default`;
 *  viewers may not see the Online Boutique project. */
const POLICY_OVERLAY = {
  roles: `  test-catalogue-reader:
    description: Test only.
    internal: true
    actions: [namespace:view, environment:view, componenttype:view, deploymentpipeline:view, workflow:view, workflowrun:view]
`,
  bindings: `  - name: test-finops-no-catalogue
    role: test-catalogue-reader
    subjects: [service:finops-agent]
    scope: { namespace: default }
    effect: deny
  - name: test-viewers-not-boutique
    role: viewer
    subjects: [group:viewers]
    scope: { namespace: default, project: gcp-microservice-demo }
    effect: deny
`,
};

type Identity = 'admin' | 'platform' | 'dev' | 'viewer' | 'ci-deployer' | 'readonly-assistant' | 'finops-agent' | 'sre-agent';
const USERS = new Set<Identity>(['admin', 'platform', 'dev', 'viewer']);

export function describeControlPlaneTools(storeName: string, storeEnv: () => Promise<Record<string, string>>) {
  describe(`control-plane tools on ${storeName}`, () => {
    let stack: TestStack;
    const clients = new Map<Identity, Client>();

    beforeAll(async () => {
      stack = await startTestStack({ storeEnv: await storeEnv(), policyOverlay: POLICY_OVERLAY });
    });
    afterAll(async () => {
      await Promise.allSettled([...clients.values()].map((client) => client.close()));
      await stack?.close();
    });

    async function as(identity: Identity): Promise<Client> {
      let client = clients.get(identity);
      if (!client) {
        const token = USERS.has(identity)
          ? await stack.userToken(identity, 'control-plane')
          : await stack.serviceToken(identity, 'control-plane');
        client = await connectWithToken(stack.controlPlane.url, token);
        clients.set(identity, client);
      }
      return client;
    }
    async function call(identity: Identity, name: string, args: Record<string, unknown>) {
      const result = await (await as(identity)).callTool({ name, arguments: args });
      return { result, data: result.structuredContent as Record<string, any>, error: errorOf(result), text: textOf(result) };
    }
    async function ok(identity: Identity, name: string, args: Record<string, unknown>) {
      const outcome = await call(identity, name, args);
      expect(outcome.result.isError, `${name} as ${identity}: ${outcome.text}`).toBeFalsy();
      return outcome.data;
    }
    async function denied(
      identity: Identity,
      name: string,
      args: Record<string, unknown>,
      reason: 'explicit_deny' | 'no_match',
      binding?: string,
    ) {
      const outcome = await call(identity, name, args);
      expect(outcome.error?.code, `${name} as ${identity}: ${outcome.text}`).toBe('ERR_FORBIDDEN');
      expect(outcome.error?.denial?.reason).toBe(reason);
      if (binding) {
        expect(outcome.error?.denial?.binding?.name).toBe(binding);
        expect(outcome.text).toContain(binding);
      } else if (reason === 'no_match') {
        expect(outcome.error?.denial?.wouldAllow?.length).toBeGreaterThan(0);
      }
      return outcome;
    }
    async function invalid(identity: Identity, name: string, args: Record<string, unknown>, message: RegExp, code = 'ERR_INVALID_INPUT') {
      const outcome = await call(identity, name, args);
      expect(outcome.error?.code, `${name}: ${outcome.text}`).toBe(code);
      expect(outcome.error?.message).toMatch(message);
      return outcome;
    }
    const ns = { namespace_name: 'default' };

    describe('discovery', () => {
      it('list_namespaces: lists default; a denied namespace is filtered out; bad limit refused', async () => {
        expect((await ok('admin', 'list_namespaces', {})).namespaces.map((item: any) => item.name)).toEqual(['default']);
        expect((await ok('finops-agent', 'list_namespaces', {})).namespaces).toEqual([]);
        await invalid('admin', 'list_namespaces', { limit: 0 }, /limit/);
      });

      it('list_projects: per-item filtering hides a denied project; bad namespace name names the rule', async () => {
        expect((await ok('dev', 'list_projects', ns)).projects.map((item: any) => item.name)).toEqual(['default', 'gcp-microservice-demo']);
        expect((await ok('viewer', 'list_projects', ns)).projects.map((item: any) => item.name)).toEqual(['default']);
        await invalid('dev', 'list_projects', { namespace_name: 'Bad_NS' }, /lowercase[\s\S]*namespace_name/);
      });

      it('list_projects pages with an opaque cursor and refuses a forged one', async () => {
        const first = await ok('dev', 'list_projects', { ...ns, limit: 1 });
        expect(first.projects.map((item: any) => item.name)).toEqual(['default']);
        const second = await ok('dev', 'list_projects', { ...ns, limit: 1, cursor: first.next_cursor });
        expect(second.projects.map((item: any) => item.name)).toEqual(['gcp-microservice-demo']);
        expect(second.next_cursor).toBeUndefined();
        await invalid('dev', 'list_projects', { ...ns, cursor: 'not-a-cursor' }, /cursor/);
      });

      it('get_project: details; explicit deny names the binding; not found is clear', async () => {
        expect(await ok('dev', 'get_project', { ...ns, project_name: 'gcp-microservice-demo' })).toMatchObject({
          name: 'gcp-microservice-demo',
          deploymentPipeline: 'default',
        });
        await denied(
          'viewer',
          'get_project',
          { ...ns, project_name: 'gcp-microservice-demo' },
          'explicit_deny',
          'test-viewers-not-boutique',
        );
        await invalid('dev', 'get_project', ns, /project_name/);
        await invalid('dev', 'get_project', { ...ns, project_name: 'nope' }, /not found/, 'ERR_NOT_FOUND');
      });

      it('list_components: the ten Online Boutique components; denied project; bad limit', async () => {
        const names = (await ok('dev', 'list_components', { ...ns, project_name: 'gcp-microservice-demo', limit: 100 })).components.map(
          (item: any) => item.name,
        );
        expect(names).toEqual([
          'ad',
          'cart',
          'checkout',
          'currency',
          'email',
          'frontend',
          'payment',
          'productcatalog',
          'recommendation',
          'shipping',
        ]);
        await denied(
          'viewer',
          'list_components',
          { ...ns, project_name: 'gcp-microservice-demo' },
          'explicit_deny',
          'test-viewers-not-boutique',
        );
        await invalid('dev', 'list_components', { ...ns, project_name: 'gcp-microservice-demo', limit: 1000 }, /limit/);
      });

      it('get_component: endpoints and dependencies; denied; empty name refused', async () => {
        const frontend = await ok('dev', 'get_component', { ...ns, component_name: 'frontend' });
        expect(frontend).toMatchObject({ componentType: 'deployment/web-application', project: 'gcp-microservice-demo' });
        expect(frontend.dependencies.map((dependency: any) => dependency.component)).toContain('productcatalog');
        await denied('viewer', 'get_component', { ...ns, component_name: 'frontend' }, 'explicit_deny', 'test-viewers-not-boutique');
        await invalid('dev', 'get_component', { ...ns, component_name: '' }, /component_name/);
      });

      for (const [tool, key, expected] of [
        ['list_component_types', 'component_types', ['deployment/service', 'deployment/web-application']],
        ['list_environments', 'environments', ['development', 'production', 'staging']],
        ['list_deployment_pipelines', 'deployment_pipelines', ['default']],
        ['list_workflows', 'workflows', ['dockerfile-builder']],
      ] as const) {
        it(`${tool}: lists; a namespace deny refuses; bad namespace refused`, async () => {
          const items = (await ok('readonly-assistant', tool, ns))[key].map((item: any) => item.name).sort();
          expect(items).toEqual([...expected].sort());
          await denied('finops-agent', tool, ns, 'explicit_deny', 'test-finops-no-catalogue');
          await invalid('readonly-assistant', tool, { namespace_name: '' }, /namespace_name/);
        });
      }

      it('list_environments marks production', async () => {
        const environments = (await ok('dev', 'list_environments', ns)).environments;
        expect(environments.find((item: any) => item.name === 'production').isProduction).toBe(true);
        expect(environments.find((item: any) => item.name === 'development').isProduction).toBe(false);
      });
    });

    describe('authoring', () => {
      it('create_project: a platform engineer creates; a developer is denied with the roles that would; bad name changes nothing', async () => {
        const created = await ok('platform', 'create_project', { ...ns, name: 'greeter', description: 'Simple greeter service in Go' });
        expect(created.project).toMatchObject({
          name: 'greeter',
          deploymentPipeline: 'default',
          description: 'Simple greeter service in Go',
          changedBy: 'user:platform',
        });
        const outcome = await denied('dev', 'create_project', { ...ns, name: 'dev-project' }, 'no_match');
        expect(outcome.error?.denial?.wouldAllow).toContain('platform-engineer');
        await invalid('platform', 'create_project', { ...ns, name: 'Greeter!' }, /lowercase[\s\S]*at name/);
        await invalid('platform', 'create_project', { ...ns, name: 'greeter' }, /already exists/, 'ERR_CONFLICT');
        await invalid('dev', 'get_project', { ...ns, project_name: 'dev-project' }, /not found/, 'ERR_NOT_FOUND');
      });

      it('create_component: a developer creates a workflow-built component; viewer denied; bad type and unknown workflow refused', async () => {
        const created = await ok('dev', 'create_component', {
          ...ns,
          project_name: 'default',
          name: 'hello-api',
          component_type: 'deployment/service',
          endpoints: { api: { type: 'HTTP', port: 9090, visibility: ['external'] } },
          workflow: {
            name: 'dockerfile-builder',
            parameters: { repository: 'https://example.invalid/repo', appPath: '/hello', dockerfilePath: '/hello/Dockerfile' },
          },
        });
        expect(created.component).toMatchObject({
          name: 'hello-api',
          autoDeploy: true,
          changedBy: 'user:dev',
          changedThrough: 'plane-mcp-public',
        });
        await denied(
          'viewer',
          'create_component',
          { ...ns, project_name: 'default', name: 'v', component_type: 'deployment/service' },
          'no_match',
        );
        await invalid(
          'dev',
          'create_component',
          { ...ns, project_name: 'default', name: 'x1', component_type: 'service' },
          /workloadType[\s\S]*component_type/,
        );
        await invalid(
          'dev',
          'create_component',
          { ...ns, project_name: 'default', name: 'x2', component_type: 'deployment/service', workflow: { name: 'nope' } },
          /workflow nope does not exist/,
        );
        await invalid('dev', 'get_component', { ...ns, component_name: 'x2' }, /not found/, 'ERR_NOT_FOUND');
      });

      it('update_component: changes only named fields and reports before → after; stale version refused', async () => {
        const before = await ok('dev', 'get_component', { ...ns, component_name: 'greeting-service' });
        const updated = await ok('dev', 'update_component', {
          ...ns,
          component_name: 'greeting-service',
          env: [{ key: 'GREETING', value: 'Hi' }],
          resource_version: before.resourceVersion,
        });
        expect(updated.changes).toEqual([{ field: 'spec.env', before: [], after: [{ key: 'GREETING', value: 'Hi' }] }]);
        expect(updated.component.endpoints).toEqual(before.endpoints);
        await denied('viewer', 'update_component', { ...ns, component_name: 'greeting-service', auto_deploy: false }, 'no_match');
        await invalid(
          'dev',
          'update_component',
          { ...ns, component_name: 'greeting-service', resource_version: 'abc' },
          /resource_version/,
        );
        await invalid(
          'dev',
          'update_component',
          { ...ns, component_name: 'greeting-service', auto_deploy: false, resource_version: before.resourceVersion },
          /changed since you read it/,
          'ERR_CONFLICT',
        );
        expect((await ok('dev', 'get_component', { ...ns, component_name: 'greeting-service' })).autoDeploy).toBe(true);
      });
    });

    describe('deployment', () => {
      it('list_component_releases / get_component_release: the demo release; denied; bad name', async () => {
        const releases = (await ok('dev', 'list_component_releases', { ...ns, component_name: 'cart' })).releases;
        expect(releases.map((release: any) => release.name)).toEqual(['cart-v0-10-5']);
        const release = await ok('dev', 'get_component_release', { ...ns, release_name: 'cart-v0-10-5' });
        expect(release.image).toContain('cartservice:v0.10.5');
        expect(release.defaults).toMatchObject({ replicas: 1 });
        await denied('viewer', 'list_component_releases', { ...ns, component_name: 'cart' }, 'explicit_deny', 'test-viewers-not-boutique');
        await denied(
          'viewer',
          'get_component_release',
          { ...ns, release_name: 'cart-v0-10-5' },
          'explicit_deny',
          'test-viewers-not-boutique',
        );
        await invalid('dev', 'get_component_release', { ...ns, release_name: 'Cart' }, /release_name/);
      });

      it('create_component_release: snapshots the image; viewer denied; a component without an image is refused', async () => {
        const created = await ok('dev', 'create_component_release', { ...ns, component_name: 'cart', release_name: 'cart-r2' });
        expect(created.release).toMatchObject({ name: 'cart-r2', component: 'cart' });
        expect((await ok('dev', 'get_component', { ...ns, component_name: 'cart' })).latestRelease).toBe('cart-r2');
        await denied('viewer', 'create_component_release', { ...ns, component_name: 'greeting-service' }, 'no_match');
        await invalid('dev', 'create_component_release', { ...ns, component_name: 'hello-api' }, /has no image/);
      });

      it('list_release_bindings / get_release_binding: where it runs and what is effective', async () => {
        const bindings = (await ok('dev', 'list_release_bindings', { ...ns, component_name: 'cart' })).bindings;
        expect(bindings).toEqual([
          expect.objectContaining({ name: 'cart-development', environment: 'development', release: 'cart-v0-10-5', state: 'Active' }),
        ]);
        const binding = await ok('dev', 'get_release_binding', { ...ns, binding_name: 'cart-development' });
        expect(binding.effective).toMatchObject({ replicas: 1, resources: { requests: { cpu: '100m', memory: '256Mi' } } });
        await denied(
          'viewer',
          'get_release_binding',
          { ...ns, binding_name: 'cart-development' },
          'explicit_deny',
          'test-viewers-not-boutique',
        );
        await denied('viewer', 'list_release_bindings', { ...ns, component_name: 'cart' }, 'explicit_deny', 'test-viewers-not-boutique');
        await invalid('dev', 'get_release_binding', { ...ns, binding_name: 'cart-nowhere' }, /not found/, 'ERR_NOT_FOUND');
      });

      it('create_release_binding: development-like environments yes, production no for developers; bad quantity refused', async () => {
        const created = await ok('dev', 'create_release_binding', {
          ...ns,
          project_name: 'gcp-microservice-demo',
          component_name: 'cart',
          environment: 'staging',
          release_name: 'cart-v0-10-5',
          replicas: 2,
        });
        expect(created.binding).toMatchObject({ name: 'cart-staging', replicas: 2 });
        await denied(
          'dev',
          'create_release_binding',
          { ...ns, project_name: 'gcp-microservice-demo', component_name: 'cart', environment: 'production', release_name: 'cart-v0-10-5' },
          'explicit_deny',
          'developers-no-production-release-changes',
        );
        await invalid(
          'dev',
          'create_release_binding',
          {
            ...ns,
            project_name: 'gcp-microservice-demo',
            component_name: 'email',
            environment: 'staging',
            release_name: 'email-v0-10-5',
            cpu_request: 'lots',
          },
          /CPU quantity[\s\S]*cpu_request/,
        );
        await invalid(
          'dev',
          'create_release_binding',
          { ...ns, project_name: 'gcp-microservice-demo', component_name: 'email', environment: 'staging', release_name: 'cart-v0-10-5' },
          /belongs to component cart/,
        );
        await invalid('dev', 'get_release_binding', { ...ns, binding_name: 'email-staging' }, /not found/, 'ERR_NOT_FOUND');
      });

      it('update_release_binding: partial update reports before → after; production denied for developers; invalid values change nothing', async () => {
        const updated = await ok('dev', 'update_release_binding', {
          ...ns,
          binding_name: 'checkout-development',
          replicas: 3,
          cpu_limit: '500m',
        });
        expect(updated.changes).toEqual([
          { field: 'spec.overrides.replicas', before: null, after: 3 },
          { field: 'spec.overrides.resources.limits.cpu', before: null, after: '500m' },
        ]);
        expect(updated.binding.effective).toMatchObject({ replicas: 3, resources: { limits: { cpu: '500m', memory: '256Mi' } } });
        expect(updated.binding.changedBy).toBe('user:dev');
        const again = await ok('dev', 'update_release_binding', { ...ns, binding_name: 'checkout-development', memory_request: '128Mi' });
        expect(again.binding.overrides).toMatchObject({
          replicas: 3,
          resources: { requests: { memory: '128Mi' }, limits: { cpu: '500m' } },
        });

        await ok('admin', 'create_release_binding', {
          ...ns,
          project_name: 'gcp-microservice-demo',
          component_name: 'checkout',
          environment: 'production',
          release_name: 'checkout-v0-10-5',
        });
        await denied(
          'dev',
          'update_release_binding',
          { ...ns, binding_name: 'checkout-production', replicas: 0 },
          'explicit_deny',
          'developers-no-production-release-changes',
        );
        await denied('viewer', 'update_release_binding', { ...ns, binding_name: 'greeting-service-development', replicas: 0 }, 'no_match');
        const version = (await ok('dev', 'get_release_binding', { ...ns, binding_name: 'checkout-development' })).resourceVersion;
        await invalid('dev', 'update_release_binding', { ...ns, binding_name: 'checkout-development', replicas: -1 }, /replicas/);
        await invalid(
          'dev',
          'update_release_binding',
          { ...ns, binding_name: 'checkout-development', cpu_request: '2' },
          /cpu request 2 exceeds cpu limit 500m/,
        );
        await invalid('dev', 'update_release_binding', { ...ns, binding_name: 'checkout-development', state: 'Paused' }, /state/);
        expect((await ok('dev', 'get_release_binding', { ...ns, binding_name: 'checkout-development' })).resourceVersion).toBe(version);
        expect((await ok('admin', 'get_release_binding', { ...ns, binding_name: 'checkout-production' })).replicas).toBeUndefined();
      });

      it('update_release_binding: of two concurrent writes with the same version, exactly one wins', async () => {
        const { resourceVersion } = await ok('dev', 'get_release_binding', { ...ns, binding_name: 'payment-development' });
        const [first, second] = await Promise.all([
          call('dev', 'update_release_binding', {
            ...ns,
            binding_name: 'payment-development',
            replicas: 4,
            resource_version: resourceVersion,
          }),
          call('ci-deployer', 'update_release_binding', {
            ...ns,
            binding_name: 'payment-development',
            replicas: 5,
            resource_version: resourceVersion,
          }),
        ]);
        const outcomes = [first, second].map((outcome) => (outcome.result.isError ? outcome.error?.code : 'ok')).sort();
        expect(outcomes).toEqual(['ERR_CONFLICT', 'ok']);
        const winner = first.result.isError ? 5 : 4;
        expect((await ok('dev', 'get_release_binding', { ...ns, binding_name: 'payment-development' })).replicas).toBe(winner);
      });

      it('update_release_binding: concurrent writes without a version both land (neither is lost)', async () => {
        await Promise.all([
          ok('dev', 'update_release_binding', { ...ns, binding_name: 'email-development', env: [{ key: 'A', value: '1' }] }),
          ok('ci-deployer', 'update_release_binding', { ...ns, binding_name: 'email-development', replicas: 2 }),
          ok('admin', 'update_release_binding', { ...ns, binding_name: 'email-development', memory_limit: '512Mi' }),
        ]);
        const binding = await ok('dev', 'get_release_binding', { ...ns, binding_name: 'email-development' });
        expect(binding.overrides).toMatchObject({
          replicas: 2,
          env: [{ key: 'A', value: '1' }],
          resources: { limits: { memory: '512Mi' } },
        });
      });

      it('delete_release_binding: admin deletes; services never delete; developers hold no delete; bad name', async () => {
        await ok('dev', 'create_release_binding', {
          ...ns,
          project_name: 'gcp-microservice-demo',
          component_name: 'ad',
          environment: 'staging',
          release_name: 'ad-v0-10-5',
        });
        await denied(
          'ci-deployer',
          'delete_release_binding',
          { ...ns, binding_name: 'ad-staging' },
          'explicit_deny',
          'services-never-delete',
        );
        await denied('dev', 'delete_release_binding', { ...ns, binding_name: 'ad-staging' }, 'no_match');
        await invalid(
          'admin',
          'delete_release_binding',
          { ...ns, binding_name: 'ad-staging', resource_version: '999' },
          /changed since you read it/,
          'ERR_CONFLICT',
        );
        const deleted = await ok('admin', 'delete_release_binding', { ...ns, binding_name: 'ad-staging' });
        expect(deleted).toMatchObject({ action: 'deleted', binding: { name: 'ad-staging' } });
        await invalid('admin', 'delete_release_binding', { ...ns, binding_name: 'ad-staging' }, /not found/, 'ERR_NOT_FOUND');
        await invalid('admin', 'delete_release_binding', { ...ns, binding_name: '../x' }, /binding_name/);
      });

      it('promote_component: development → staging for a developer; staging → production denied; a path the pipeline lacks refused', async () => {
        const promoted = await ok('dev', 'promote_component', {
          ...ns,
          component_name: 'frontend',
          source_environment: 'development',
          target_environment: 'staging',
        });
        expect(promoted).toMatchObject({
          action: 'created',
          release: 'frontend-v0-10-5',
          binding: { name: 'frontend-staging', environment: 'staging' },
        });
        expect(
          (
            await ok('dev', 'promote_component', {
              ...ns,
              component_name: 'frontend',
              source_environment: 'development',
              target_environment: 'staging',
            })
          ).action,
        ).toBe('unchanged');
        await denied(
          'dev',
          'promote_component',
          { ...ns, component_name: 'frontend', source_environment: 'staging', target_environment: 'production' },
          'explicit_deny',
          'developers-no-production-release-changes',
        );
        await invalid(
          'admin',
          'promote_component',
          { ...ns, component_name: 'frontend', source_environment: 'development', target_environment: 'production' },
          /does not promote development to production/,
        );
        const production = await ok('admin', 'promote_component', {
          ...ns,
          component_name: 'frontend',
          source_environment: 'staging',
          target_environment: 'production',
        });
        expect(production.binding).toMatchObject({ name: 'frontend-production', changedBy: 'user:admin' });
      });
    });

    describe('builds', () => {
      it('list_workflow_runs / get_workflow_run: the greeter build with its tasks; filters; denied; bad status', async () => {
        const runs = (await ok('dev', 'list_workflow_runs', { ...ns, component_name: 'greeting-service' })).workflow_runs;
        expect(runs[0]).toMatchObject({ name: 'greeting-service-build-01', status: 'Succeeded' });
        expect((await ok('dev', 'list_workflow_runs', { ...ns, status: 'Failed' })).workflow_runs).toEqual([]);
        const run = await ok('dev', 'get_workflow_run', { ...ns, run_name: 'greeting-service-build-01' });
        expect(run.tasks.map((task: any) => `${task.name}:${task.status}`)).toEqual([
          'checkout-source:Succeeded',
          'build-image:Succeeded',
          'publish-image:Succeeded',
          'generate-workload:Succeeded',
        ]);
        expect(run.parameters).toMatchObject({ dockerfilePath: '/service-go-greeter/Dockerfile' });
        await denied('finops-agent', 'list_workflow_runs', ns, 'explicit_deny', 'test-finops-no-catalogue');
        await denied(
          'finops-agent',
          'get_workflow_run',
          { ...ns, run_name: 'greeting-service-build-01' },
          'explicit_deny',
          'test-finops-no-catalogue',
        );
        await invalid('dev', 'list_workflow_runs', { ...ns, status: 'Done' }, /status/);
      });

      it('trigger_workflow_run: builds with the component workflow and overrides; viewer denied; a component without a workflow refused', async () => {
        const triggered = await ok('dev', 'trigger_workflow_run', {
          ...ns,
          component_name: 'greeting-service',
          parameters: { dockerfilePath: '/service-go-greeter/Dockerfile.broken' },
        });
        expect(triggered.run).toMatchObject({ workflow: 'dockerfile-builder', component: 'greeting-service', status: 'Pending' });
        expect(triggered.run.parameters).toMatchObject({ branch: 'main', dockerfilePath: '/service-go-greeter/Dockerfile.broken' });
        expect(triggered.run.tasks.map((task: any) => task.status)).toEqual(['Pending', 'Pending', 'Pending', 'Pending']);
        await denied('viewer', 'trigger_workflow_run', { ...ns, component_name: 'greeting-service' }, 'no_match');
        await invalid('dev', 'trigger_workflow_run', { ...ns, component_name: 'cart' }, /has no build workflow/);
        await invalid(
          'dev',
          'trigger_workflow_run',
          { ...ns, component_name: 'greeting-service', parameters: { colour: 'red' } },
          /no parameter\(s\) colour/,
        );
      });

      it('create_workflow_run: explicit parameters; required ones enforced; viewer denied', async () => {
        const created = await ok('ci-deployer', 'create_workflow_run', {
          ...ns,
          workflow_name: 'dockerfile-builder',
          component_name: 'greeting-service',
          parameters: { repository: 'https://example.invalid/r', appPath: '/a', dockerfilePath: '/a/Dockerfile' },
        });
        expect(created.run).toMatchObject({
          workflow: 'dockerfile-builder',
          component: 'greeting-service',
          changedBy: 'service:ci-deployer',
        });
        await denied('viewer', 'create_workflow_run', { ...ns, workflow_name: 'dockerfile-builder', parameters: {} }, 'no_match');
        await invalid(
          'ci-deployer',
          'create_workflow_run',
          { ...ns, workflow_name: 'dockerfile-builder', parameters: {} },
          /needs parameter/,
        );
        await invalid(
          'ci-deployer',
          'create_workflow_run',
          { ...ns, workflow_name: 'dockerfile-builder', parameters: { repository: { nested: true } } },
          /parameters/,
        );
      });
    });

    describe('identity and audit', () => {
      it('explain_access: explains your own production denial; someone else needs authz:explain', async () => {
        const mine = await ok('dev', 'explain_access', {
          action: 'releasebinding:update',
          namespace_name: 'default',
          project_name: 'gcp-microservice-demo',
          component_name: 'cart',
          environment: 'production',
        });
        expect(mine).toMatchObject({
          subject: 'user:dev',
          allowed: false,
          reason: 'explicit_deny',
          binding: { name: 'developers-no-production-release-changes' },
        });
        const dev = await ok('dev', 'explain_access', {
          action: 'releasebinding:update',
          namespace_name: 'default',
          project_name: 'gcp-microservice-demo',
          component_name: 'cart',
          environment: 'development',
        });
        expect(dev.allowed).toBe(true);
        await denied(
          'dev',
          'explain_access',
          { action: 'component:view', subject: { type: 'service', id: 'readonly-assistant' } },
          'no_match',
        );
        const other = await ok('admin', 'explain_access', {
          action: 'releasebinding:update',
          namespace_name: 'default',
          subject: { type: 'service', id: 'readonly-assistant' },
        });
        expect(other).toMatchObject({ subject: 'service:readonly-assistant', allowed: false, reason: 'no_match' });
        expect(other.wouldAllow).toContain('deployer');
        await invalid('dev', 'explain_access', { action: 'launch:rockets' }, /unknown action/);
      });

      it('query_audit_events: shows allowed and denied calls with the rule; readonly-assistant denied; bad time refused', async () => {
        await call('viewer', 'update_release_binding', { ...ns, binding_name: 'cart-development', replicas: 9 });
        const events = (await ok('admin', 'query_audit_events', { subject: 'user:viewer', tool: 'update_release_binding' })).events;
        expect(events[0]).toMatchObject({
          subject: 'user:viewer',
          decision: 'deny',
          outcome: 'denied',
          action: 'releasebinding:update',
          resource: 'ns/default/project/gcp-microservice-demo/component/cart',
        });
        const paged = await ok('admin', 'query_audit_events', { limit: 2 });
        expect(paged.events).toHaveLength(2);
        const next = await ok('admin', 'query_audit_events', { limit: 2, cursor: paged.next_cursor });
        expect(next.events[0].id).not.toBe(paged.events[0].id);
        await denied('readonly-assistant', 'query_audit_events', {}, 'no_match');
        await invalid('admin', 'query_audit_events', { since: 'yesterday' }, /since/);
      });

      it('tools/list differs per role and every tool declares annotations, output schema and scope', async () => {
        const listed = async (identity: Identity) => (await (await as(identity)).listTools()).tools;
        const adminTools = await listed('admin');
        expect(adminTools.map((tool) => tool.name)).toEqual(
          expect.arrayContaining(['delete_release_binding', 'query_audit_events', 'promote_component']),
        );
        for (const tool of adminTools) {
          expect(tool.outputSchema, tool.name).toBeDefined();
          expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe('boolean');
          expect(tool._meta?.['plane-mcp/scope'], tool.name).toBeDefined();
        }
        const assistant = (await listed('readonly-assistant')).map((tool) => tool.name);
        expect(assistant).toContain('list_components');
        expect(assistant).not.toContain('update_release_binding');
        expect(assistant).not.toContain('query_audit_events');
        const devTools = (await listed('dev')).map((tool) => tool.name);
        expect(devTools).toContain('update_release_binding');
        expect(devTools).not.toContain('delete_release_binding');
      });
    });
  });
}
