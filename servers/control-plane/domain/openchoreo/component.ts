import * as z from 'zod';
import { componentTypeRef } from '../names.js';
import { freeForm, nonEmptyString, objectName } from './common.js';
import { conditions } from './conditions.js';
import { namespacedKind } from './kind.js';

/** `{kind, name: <workloadType>/<typeName>}`, e.g. `{kind: ClusterComponentType, name: deployment/service}`. */
export const componentTypeReference = z.strictObject({
  kind: z.enum(['ComponentType', 'ClusterComponentType']).default('ComponentType'),
  name: componentTypeRef,
});

/** A trait attached to a component; `instanceName` keys its per-environment settings in a ReleaseBinding. */
export const componentTraitSchema = z.strictObject({
  kind: z.enum(['Trait', 'ClusterTrait']).default('Trait'),
  name: objectName,
  instanceName: objectName,
  parameters: freeForm.optional(),
});

/** The build workflow and the parameter values validated against its schema. */
export const componentWorkflowSchema = z.strictObject({
  kind: z.enum(['Workflow', 'ClusterWorkflow']).default('ClusterWorkflow'),
  name: objectName,
  parameters: freeForm.optional(),
});

export const componentSpecSchema = z
  .strictObject({
    owner: z.strictObject({ projectName: objectName }),
    componentType: componentTypeReference,
    autoDeploy: z.boolean().optional(),
    autoBuild: z.boolean().optional(),
    parameters: freeForm.optional(),
    traits: z.array(componentTraitSchema).optional(),
    workflow: componentWorkflowSchema.optional(),
  })
  .superRefine((spec, context) => {
    const seen = new Set<string>();
    spec.traits?.forEach((trait, index) => {
      if (seen.has(trait.instanceName)) {
        context.addIssue({
          code: 'custom',
          path: ['traits', index, 'instanceName'],
          message: `instanceName ${trait.instanceName} is used twice; it must be unique across the component's traits`,
        });
      }
      seen.add(trait.instanceName);
    });
  });

/** What a component is: its type, owner project, traits and build workflow. What it runs is its Workload. */
export const componentSchema = namespacedKind(
  'Component',
  componentSpecSchema,
  z.strictObject({
    conditions: conditions.optional(),
    /** The newest ComponentRelease cut for the component, and the hash of the spec it was cut from. */
    latestRelease: z.strictObject({ name: nonEmptyString, releaseHash: nonEmptyString }).optional(),
    observedGeneration: z.int().optional(),
  }),
);

export type Component = z.infer<typeof componentSchema>;
export type ComponentTrait = z.infer<typeof componentTraitSchema>;
