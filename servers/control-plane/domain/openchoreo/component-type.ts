import * as z from 'zod';
import { freeForm, nonEmptyString } from './common.js';
import { clusterKind, emptyStatus, namespacedKind } from './kind.js';
import { onlyOneValidationList, postRenderValidation, resourceTemplate, schemaSection, validationRule } from './templates.js';

export const WORKLOAD_TYPES = ['deployment', 'statefulset', 'cronjob', 'job', 'proxy'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];

interface RefKinds {
  trait: z.ZodType<string>;
  workflow: z.ZodType<string>;
  embeddedTrait: z.ZodType<string>;
}

/** The fields ComponentType and ClusterComponentType share; they differ only in which kinds they may reference. */
function componentTypeSpec(kinds: RefKinds) {
  return z
    .strictObject({
      workloadType: z.enum(WORKLOAD_TYPES),
      allowedTraits: z.array(z.strictObject({ kind: kinds.trait, name: nonEmptyString })).optional(),
      allowedWorkflows: z.array(z.strictObject({ kind: kinds.workflow, name: nonEmptyString })).optional(),
      /** The schema per-environment settings (ReleaseBinding componentTypeEnvironmentConfigs) are validated against. */
      environmentConfigs: schemaSection.optional(),
      parameters: schemaSection.optional(),
      resources: z.array(resourceTemplate).min(1),
      traits: z
        .array(
          z.strictObject({
            kind: kinds.embeddedTrait,
            name: nonEmptyString,
            instanceName: nonEmptyString,
            parameters: freeForm.optional(),
            environmentConfigs: freeForm.optional(),
          }),
        )
        .optional(),
      validations: z.array(validationRule).optional(),
      preRenderValidations: z.array(validationRule).optional(),
      postRenderValidations: z.array(postRenderValidation).optional(),
    })
    .superRefine((spec, context) => {
      if (spec.workloadType !== 'proxy' && !spec.resources.some((resource) => resource.id === spec.workloadType)) {
        context.addIssue({
          code: 'custom',
          path: ['resources'],
          message: `resources must contain a primary resource with id matching workloadType (${spec.workloadType}) unless workloadType is 'proxy'`,
        });
      }
      onlyOneValidationList(spec, context);
    });
}

export const componentTypeSpecSchema = componentTypeSpec({
  trait: z.enum(['Trait', 'ClusterTrait']).default('Trait'),
  workflow: z.enum(['Workflow', 'ClusterWorkflow']).default('ClusterWorkflow'),
  embeddedTrait: z.enum(['Trait', 'ClusterTrait']).default('Trait'),
});

export const clusterComponentTypeSpecSchema = componentTypeSpec({
  trait: z.enum(['ClusterTrait']),
  workflow: z.enum(['ClusterWorkflow']),
  embeddedTrait: z.enum(['ClusterTrait']).default('ClusterTrait'),
});

export const componentTypeSchema = namespacedKind('ComponentType', componentTypeSpecSchema, emptyStatus);
export const clusterComponentTypeSchema = clusterKind('ClusterComponentType', clusterComponentTypeSpecSchema, emptyStatus);

export type ComponentTypeSpec = z.infer<typeof componentTypeSpecSchema>;
export type ComponentType = z.infer<typeof componentTypeSchema>;
export type ClusterComponentType = z.infer<typeof clusterComponentTypeSchema>;
