import { InvalidInputError, type PlaneError } from '../../../shared/errors/plane-errors.js';
import type { ResourceStore } from '../store/resource-store.js';
import { ResourceNotFoundError } from '../store/store-errors.js';
import { splitComponentTypeRef } from './names.js';
import { isNamespaced, type PlatformResource, type ResourceKind } from './resources.js';

/**
 * Reference integrity: what must exist (in the referring object's namespace) before an object may be
 * written, and what the referenced object must agree with. Tools refuse the first problem as a typed
 * error (`requireReferences`); GitOps apply reports every problem of a document (`findReferenceProblems`).
 */
export interface Reference {
  kind: ResourceKind;
  name: string;
  /** Where the referring object names it, e.g. `spec.owner.projectName`. */
  field: string;
  /** For a ComponentType: the workload type the referrer names with it (`deployment/service`). */
  workloadType?: string;
  /** For a Component: the project the referrer says it is in; for a ComponentRelease, also the component. */
  owner?: { projectName: string; componentName?: string };
}

/** A reference that does not hold: its target is missing, or exists (`target`) but disagrees. */
export interface ReferenceProblem {
  reference: Reference;
  /** The referring object's namespace. */
  namespace: string | undefined;
  target?: PlatformResource;
}

/** Finds a referenced object (in the referring object's namespace, except a Namespace). */
export type ReferenceLookup = (kind: ResourceKind, name: string) => Promise<PlatformResource | undefined>;

/** Every reference an object makes, in the order they are checked (its namespace first). */
export function referencesOf(resource: PlatformResource): Reference[] {
  const refs: Reference[] = [];
  if (isNamespaced(resource.kind) && resource.metadata.namespace) {
    refs.push({ kind: 'Namespace', name: resource.metadata.namespace, field: 'metadata.namespace' });
  }
  switch (resource.kind) {
    case 'DeploymentPipeline':
      resource.spec.promotionPaths.forEach((promotion, index) => {
        const path = `spec.promotionPaths[${index}]`;
        refs.push({ kind: 'Environment', name: promotion.sourceEnvironmentRef, field: `${path}.sourceEnvironmentRef` });
        promotion.targetEnvironmentRefs.forEach((target, targetIndex) =>
          refs.push({ kind: 'Environment', name: target.name, field: `${path}.targetEnvironmentRefs[${targetIndex}].name` }),
        );
      });
      break;
    case 'ComponentType':
      resource.spec.allowedWorkflows.forEach((workflow, index) =>
        refs.push({ kind: 'Workflow', name: workflow, field: `spec.allowedWorkflows[${index}]` }),
      );
      break;
    case 'Project':
      refs.push({ kind: 'DeploymentPipeline', name: resource.spec.deploymentPipelineRef, field: 'spec.deploymentPipelineRef' });
      break;
    case 'Component': {
      refs.push({ kind: 'Project', name: resource.spec.owner.projectName, field: 'spec.owner.projectName' });
      const { workloadType, typeName } = splitComponentTypeRef(resource.spec.componentType);
      refs.push({ kind: 'ComponentType', name: typeName, field: 'spec.componentType', workloadType });
      if (resource.spec.workflow) refs.push({ kind: 'Workflow', name: resource.spec.workflow.name, field: 'spec.workflow.name' });
      break;
    }
    case 'ComponentRelease':
    case 'ReleaseBinding': {
      const { projectName, componentName } = resource.spec.owner;
      refs.push({ kind: 'Project', name: projectName, field: 'spec.owner.projectName' });
      refs.push({ kind: 'Component', name: componentName, field: 'spec.owner.componentName', owner: { projectName } });
      if (resource.kind === 'ReleaseBinding') {
        refs.push({ kind: 'Environment', name: resource.spec.environment, field: 'spec.environment' });
        refs.push({
          kind: 'ComponentRelease',
          name: resource.spec.releaseName,
          field: 'spec.releaseName',
          owner: { projectName, componentName },
        });
      }
      break;
    }
    case 'WorkflowRun':
      refs.push({ kind: 'Workflow', name: resource.spec.workflow.name, field: 'spec.workflow.name' });
      if (resource.spec.owner) {
        const { projectName, componentName } = resource.spec.owner;
        refs.push({ kind: 'Project', name: projectName, field: 'spec.owner.projectName' });
        refs.push({ kind: 'Component', name: componentName, field: 'spec.owner.componentName', owner: { projectName } });
      }
      break;
    default:
      break;
  }
  return refs;
}

/** Whether an existing target disagrees with what the reference says about it. */
function disagrees(reference: Reference, target: PlatformResource): boolean {
  if (target.kind === 'ComponentType') return reference.workloadType !== undefined && target.spec.workloadType !== reference.workloadType;
  if (!reference.owner) return false;
  if (target.kind === 'Component') return target.spec.owner.projectName !== reference.owner.projectName;
  if (target.kind === 'ComponentRelease') {
    return (
      target.spec.owner.projectName !== reference.owner.projectName || target.spec.owner.componentName !== reference.owner.componentName
    );
  }
  return false;
}

async function resolve(
  reference: Reference,
  namespace: string | undefined,
  lookup: ReferenceLookup,
): Promise<{ target: PlatformResource; problem?: undefined } | { problem: ReferenceProblem }> {
  const target = await lookup(reference.kind, reference.name);
  if (!target) return { problem: { reference, namespace } };
  return disagrees(reference, target) ? { problem: { reference, namespace, target } } : { target };
}

/** Every reference of the object that does not hold, in `referencesOf` order. */
export async function findReferenceProblems(resource: PlatformResource, lookup: ReferenceLookup): Promise<ReferenceProblem[]> {
  const problems: ReferenceProblem[] = [];
  for (const reference of referencesOf(resource)) {
    const { problem } = await resolve(reference, resource.metadata.namespace, lookup);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Check the object's references against the store (only those made by `fields`, when given) and throw
 * the first problem as the error a tool call answers with. Returns the referenced objects, in order.
 */
export async function requireReferences(
  store: Pick<ResourceStore, 'get'>,
  resource: PlatformResource,
  fields?: readonly string[],
): Promise<Array<{ reference: Reference; target: PlatformResource }>> {
  const namespace = resource.metadata.namespace;
  const lookup: ReferenceLookup = async (kind, name) =>
    (await store.get(kind, isNamespaced(kind) ? namespace : undefined, name)) as PlatformResource | undefined;
  const resolved: Array<{ reference: Reference; target: PlatformResource }> = [];
  for (const reference of referencesOf(resource)) {
    if (fields && !fields.includes(reference.field)) continue;
    const result = await resolve(reference, namespace, lookup);
    if (result.problem) throw refusalOf(result.problem);
    resolved.push({ reference, target: result.target });
  }
  return resolved;
}

/** The problem as the apply report states it: `<field>: <what is wrong>`. */
export function describeReferenceProblem({ reference, namespace, target }: ReferenceProblem): string {
  const { field, kind, name, owner } = reference;
  if (!target) return `${field}: ${kind} ${name} does not exist${kind === 'Namespace' ? '' : ` in namespace ${namespace ?? ''}`}`;
  switch (target.kind) {
    case 'ComponentType':
      return `${field}: ComponentType ${name} has workloadType ${target.spec.workloadType}, not ${reference.workloadType}`;
    case 'Component':
      return `${field}: Component ${name} belongs to project ${target.spec.owner.projectName}, not ${owner?.projectName}`;
    case 'ComponentRelease': {
      const actual = target.spec.owner;
      return `${field}: ComponentRelease ${name} belongs to ${actual.projectName}/${actual.componentName}, not ${owner?.projectName}/${owner?.componentName}`;
    }
    default:
      return `${field}: ${kind} ${name} does not fit`;
  }
}

/** The problem as a tool call refuses it: what is wrong, and which tool shows what exists. */
export function refusalOf({ reference, namespace, target }: ReferenceProblem): PlaneError {
  const { kind, name, owner } = reference;
  if (kind === 'ComponentType') {
    return new InvalidInputError(
      `component type ${reference.workloadType}/${name} does not exist in ${namespace}`,
      'Call list_component_types for the available types.',
    );
  }
  if (!target) {
    switch (kind) {
      case 'Workflow':
        return new InvalidInputError(`workflow ${name} does not exist in ${namespace}`, 'Call list_workflows for the available workflows.');
      case 'DeploymentPipeline':
        return new InvalidInputError(
          `deployment pipeline ${name} does not exist in ${namespace}`,
          'Call list_deployment_pipelines to see the pipelines.',
        );
      default:
        return new ResourceNotFoundError(kind, isNamespaced(kind) ? namespace : undefined, name);
    }
  }
  if (target.kind === 'ComponentRelease') {
    const actual = target.spec.owner;
    return new InvalidInputError(
      actual.componentName !== owner?.componentName
        ? `release ${name} belongs to component ${actual.componentName}, not ${owner?.componentName}`
        : `release ${name} belongs to project ${actual.projectName}, not ${owner.projectName}`,
      'Call list_component_releases for this component.',
    );
  }
  if (target.kind === 'Component') {
    return new InvalidInputError(`component ${name} belongs to project ${target.spec.owner.projectName}, not ${owner?.projectName}`);
  }
  return new InvalidInputError(describeReferenceProblem({ reference, namespace, target }));
}
