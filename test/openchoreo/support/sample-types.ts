import { clusterComponentTypeSchema, type ClusterComponentType } from '../../../servers/control-plane/domain/openchoreo/component-type.js';
import { clusterTraitSchema, type ClusterTrait } from '../../../servers/control-plane/domain/openchoreo/trait.js';
import { sampleObjects } from './reference-data.js';

/** One object of OpenChoreo's samples, by file, kind and name. */
export function sampleObject(file: string, kind: string, name: string): unknown {
  const found = sampleObjects().find(
    (candidate) => candidate.file === file && candidate.value.kind === kind && candidate.value.metadata?.name === name,
  );
  if (!found) throw new Error(`sample ${kind} ${name} not found in ${file}`);
  return found.value;
}

/** OpenChoreo's own `service` ClusterComponentType (getting-started), parsed. */
export function sampleServiceType(): ClusterComponentType {
  return clusterComponentTypeSchema.parse(sampleObject('getting-started/component-types/service.yaml', 'ClusterComponentType', 'service'));
}

export function sampleWebApplicationType(): ClusterComponentType {
  return clusterComponentTypeSchema.parse(
    sampleObject('getting-started/component-types/webapp.yaml', 'ClusterComponentType', 'web-application'),
  );
}

export function sampleAlertRuleTrait(): ClusterTrait {
  return clusterTraitSchema.parse(sampleObject('component-alerts/alert-rule-trait.yaml', 'ClusterTrait', 'observability-alert-rule'));
}
