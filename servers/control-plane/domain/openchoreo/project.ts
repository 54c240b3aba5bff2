import * as z from 'zod';
import { freeForm, listMap, nonEmptyString, objectName } from './common.js';
import { conditions, conditionsByType } from './conditions.js';
import { clusterKind, emptyStatus, namespacedKind } from './kind.js';
import { resourceTemplate, schemaSection, validationRule } from './templates.js';

/** A group of components sharing a deployment pipeline and a project type (the per-environment cell it gets). */
export const projectSchema = namespacedKind(
  'Project',
  z.strictObject({
    deploymentPipelineRef: z.strictObject({
      kind: z.enum(['DeploymentPipeline']).default('DeploymentPipeline'),
      name: objectName,
    }),
    /** Immutable once created. */
    type: z.strictObject({
      kind: z.enum(['ProjectType', 'ClusterProjectType']).default('ProjectType'),
      name: objectName,
    }),
    parameters: freeForm.optional(),
  }),
  z.strictObject({
    conditions: conditions.optional(),
    latestRelease: z.strictObject({ name: nonEmptyString, hash: nonEmptyString }).optional(),
    observedGeneration: z.int().optional(),
  }),
);

/** What a project gets in each environment (at least its cell namespace). */
const projectTypeSpec = z.strictObject({
  environmentConfigs: schemaSection.optional(),
  parameters: schemaSection.optional(),
  resources: listMap(resourceTemplate, 'id').min(1),
  validations: z.array(validationRule).optional(),
});

export const projectTypeSchema = namespacedKind('ProjectType', projectTypeSpec, emptyStatus);
export const clusterProjectTypeSchema = clusterKind('ClusterProjectType', projectTypeSpec, emptyStatus);

/** A project deployed to one environment: owns the project's cell there. */
export const projectReleaseBindingSchema = namespacedKind(
  'ProjectReleaseBinding',
  z.strictObject({
    owner: z.strictObject({ projectName: objectName }),
    environment: objectName,
    /** Seeded by the Project controller with the latest ProjectRelease when left out. */
    projectRelease: z.string().optional(),
    environmentConfigs: freeForm.optional(),
  }),
  z.strictObject({
    conditions: conditionsByType.optional(),
    namespace: z.string().optional(),
    observedGeneration: z.int().optional(),
  }),
);

export type Project = z.infer<typeof projectSchema>;
export type ProjectType = z.infer<typeof projectTypeSchema>;
export type ClusterProjectType = z.infer<typeof clusterProjectTypeSchema>;
export type ProjectReleaseBinding = z.infer<typeof projectReleaseBindingSchema>;
