import * as z from 'zod';
import { clusterKind, emptyStatus, namespacedKind } from './kind.js';
import {
  onlyOneValidationList,
  postRenderValidation,
  schemaSection,
  traitCreate,
  traitPatch,
  traitRemove,
  validationRule,
} from './templates.js';

/** What a trait adds to a component: its own parameters and per-environment settings, objects to create, patches. */
export const traitSpecSchema = z
  .strictObject({
    parameters: schemaSection.optional(),
    /** The schema a ReleaseBinding's traitEnvironmentConfigs[instanceName] is validated against. */
    environmentConfigs: schemaSection.optional(),
    creates: z.array(traitCreate).optional(),
    patches: z.array(traitPatch).optional(),
    removes: z.array(traitRemove).optional(),
    validations: z.array(validationRule).optional(),
    preRenderValidations: z.array(validationRule).optional(),
    postRenderValidations: z.array(postRenderValidation).optional(),
  })
  .superRefine(onlyOneValidationList);

export const traitSchema = namespacedKind('Trait', traitSpecSchema, emptyStatus);
export const clusterTraitSchema = clusterKind('ClusterTrait', traitSpecSchema, emptyStatus);

export type TraitSpec = z.infer<typeof traitSpecSchema>;
export type Trait = z.infer<typeof traitSchema>;
export type ClusterTrait = z.infer<typeof clusterTraitSchema>;
