import { InvalidInputError } from '../../../../shared/errors/plane-errors.js';
import { API_VERSION } from './common.js';
import { componentReleaseSchema, type ComponentRelease, type ComponentReleaseSpec } from './component-release.js';
import { componentTypeSpecSchema, type ClusterComponentType, type ComponentType } from './component-type.js';
import type { Component } from './component.js';
import type { ClusterTrait, Trait } from './trait.js';
import type { Workload } from './workload.js';

/** What a release is cut from: the component, its Workload, its (Cluster)ComponentType and every trait it uses. */
export interface SnapshotSources {
  component: Component;
  workload: Workload;
  componentType: ComponentType | ClusterComponentType;
  /** The traits the component attaches and the component type embeds; others are ignored. */
  traits?: readonly (Trait | ClusterTrait)[];
}

/** A release cannot be cut: a source is missing or does not belong to the component. */
export class ReleaseSnapshotError extends InvalidInputError {}

function traitKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

function checkSources({ component, workload, componentType }: SnapshotSources): void {
  const reference = component.spec.componentType;
  const [workloadType, typeName] = reference.name.split('/') as [string, string];
  if (componentType.kind !== reference.kind || componentType.metadata.name !== typeName) {
    throw new ReleaseSnapshotError(
      `component ${component.metadata.name} uses ${reference.kind} ${typeName}, not ${componentType.kind} ${componentType.metadata.name}`,
    );
  }
  if (componentType.spec.workloadType !== workloadType) {
    throw new ReleaseSnapshotError(
      `${reference.kind} ${typeName} has workloadType ${componentType.spec.workloadType}, not ${workloadType}`,
    );
  }
  const owner = workload.spec.owner;
  if (owner.componentName !== component.metadata.name || owner.projectName !== component.spec.owner.projectName) {
    throw new ReleaseSnapshotError(
      `workload ${workload.metadata.name} belongs to ${owner.projectName}/${owner.componentName}, not ${component.spec.owner.projectName}/${component.metadata.name}`,
    );
  }
}

/**
 * The spec OpenChoreo's component controller would freeze: owner, the component type's spec, the
 * specs of the traits in use (sorted by kind and name), the component's parameter and trait values,
 * and the Workload without its owner.
 */
export function releaseSpecFrom(sources: SnapshotSources): ComponentReleaseSpec {
  checkSources(sources);
  const { component, workload, componentType } = sources;
  const available = new Map((sources.traits ?? []).map((trait) => [traitKey(trait.kind, trait.metadata.name), trait]));
  const used = [
    ...(componentType.spec.traits ?? []).map((trait) => traitKey(trait.kind, trait.name)),
    ...(component.spec.traits ?? []).map((trait) => traitKey(trait.kind, trait.name)),
  ];
  const traits = [...new Set(used)].sort().map((key) => {
    const trait = available.get(key);
    if (!trait) throw new ReleaseSnapshotError(`trait ${key} used by component ${component.metadata.name} was not found`);
    return { kind: trait.kind, name: trait.metadata.name, spec: trait.spec };
  });
  const profileTraits = (component.spec.traits ?? []).map((trait) => ({
    kind: trait.kind,
    name: trait.name,
    instanceName: trait.instanceName,
    ...(trait.parameters ? { parameters: trait.parameters } : {}),
  }));
  const { owner: _owner, ...template } = workload.spec;
  return {
    owner: { projectName: component.spec.owner.projectName, componentName: component.metadata.name },
    componentType: {
      kind: componentType.kind,
      name: component.spec.componentType.name,
      spec: componentTypeSpecSchema.parse(componentType.spec),
    },
    ...(traits.length > 0 ? { traits } : {}),
    ...(component.spec.parameters || profileTraits.length > 0
      ? {
          componentProfile: {
            ...(component.spec.parameters ? { parameters: component.spec.parameters } : {}),
            ...(profileTraits.length ? { traits: profileTraits } : {}),
          },
        }
      : {}),
    workload: structuredClone(template),
  };
}

/** JSON with object keys sorted, so equal specs serialise alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Kubernetes' `rand.SafeEncodeString` alphabet: no vowels, no look-alike digits. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The release hash of a spec (owner excluded, as OpenChoreo excludes it): FNV-1a over canonical JSON,
 * safe-encoded like Kubernetes' controller hashes. Same shape as OpenChoreo's, not byte-equal to it
 * (its input is Go's object dump).
 */
export function releaseHash(spec: ComponentReleaseSpec): string {
  const { owner: _owner, ...hashed } = spec;
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(canonicalJson(hashed), 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return [...String(hash)].map((digit) => SAFE_ALPHABET[digit.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

/** A ComponentRelease snapshot, named `<component>-<hash>` unless a name is given. */
export function componentReleaseFrom(sources: SnapshotSources, name?: string): ComponentRelease {
  const spec = releaseSpecFrom(sources);
  const { component } = sources;
  const hash = releaseHash(spec);
  return componentReleaseSchema.parse({
    apiVersion: API_VERSION,
    kind: 'ComponentRelease',
    metadata: {
      name: name ?? `${component.metadata.name.slice(0, 62 - hash.length).replace(/-+$/, '')}-${hash}`,
      ...(component.metadata.namespace ? { namespace: component.metadata.namespace } : {}),
    },
    spec,
  });
}
