/** Small valid objects of each kind, for tests to mutate into bad ones. Plain JSON, as a client would send it. */
const apiVersion = 'openchoreo.dev/v1alpha1';

export function project() {
  return {
    apiVersion,
    kind: 'Project',
    metadata: { name: 'shop', namespace: 'default' },
    spec: { deploymentPipelineRef: { name: 'default' }, type: { kind: 'ClusterProjectType', name: 'default' } },
  };
}

export function component() {
  return {
    apiVersion,
    kind: 'Component',
    metadata: { name: 'cart', namespace: 'default' },
    spec: { owner: { projectName: 'shop' }, componentType: { kind: 'ClusterComponentType', name: 'deployment/service' }, autoDeploy: true },
  };
}

export function workload() {
  return {
    apiVersion,
    kind: 'Workload',
    metadata: { name: 'cart', namespace: 'default' },
    spec: {
      owner: { projectName: 'shop', componentName: 'cart' },
      container: { image: 'registry.example/cart:v1', env: [{ key: 'PORT', value: '7070' }] },
      endpoints: { grpc: { type: 'gRPC', port: 7070 } },
    },
  };
}

export function componentType() {
  return {
    apiVersion,
    kind: 'ComponentType',
    metadata: { name: 'service', namespace: 'default' },
    spec: { workloadType: 'deployment', resources: [{ id: 'deployment', template: { apiVersion: 'apps/v1', kind: 'Deployment' } }] },
  };
}

export function clusterComponentType() {
  return { ...componentType(), kind: 'ClusterComponentType', metadata: { name: 'service' } };
}

export function releaseBinding() {
  return {
    apiVersion,
    kind: 'ReleaseBinding',
    metadata: { name: 'cart-development', namespace: 'default' },
    spec: { owner: { projectName: 'shop', componentName: 'cart' }, environment: 'development', releaseName: 'cart-v1' },
  };
}

export function environment() {
  return {
    apiVersion,
    kind: 'Environment',
    metadata: { name: 'development', namespace: 'default' },
    spec: { dataPlaneRef: { kind: 'ClusterDataPlane', name: 'default' }, isProduction: false },
  };
}

export function workflowRun() {
  return {
    apiVersion,
    kind: 'WorkflowRun',
    metadata: { name: 'cart-build-1', namespace: 'default' },
    spec: { workflow: { kind: 'ClusterWorkflow', name: 'dockerfile-builder', parameters: {} } },
  };
}

export function alertRule() {
  return {
    apiVersion,
    kind: 'ObservabilityAlertRule',
    metadata: { name: 'cart-memory', namespace: 'default' },
    spec: {
      name: 'cart-memory',
      source: { type: 'metric', metric: 'memory_usage' },
      condition: { window: '5m', interval: '1m', operator: 'gt', threshold: 70 },
      actions: { notifications: { channels: ['email'] } },
    },
  };
}

export function notificationChannel() {
  return {
    apiVersion,
    kind: 'ObservabilityAlertsNotificationChannel',
    metadata: { name: 'webhook', namespace: 'default' },
    spec: { environment: 'development', type: 'webhook', webhookConfig: { url: 'https://hooks.example/alert' } },
  };
}

export function namespace() {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { 'openchoreo.dev/control-plane': 'true' } } };
}
