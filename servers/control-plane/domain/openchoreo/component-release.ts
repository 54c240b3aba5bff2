import * as z from 'zod';
import { freeForm, nonEmptyString, objectName } from './common.js';
import { componentTypeSpecSchema } from './component-type.js';
import { emptyStatus, namespacedKind } from './kind.js';
import { traitSpecSchema } from './trait.js';
import { workloadTemplateSchema } from './workload-spec.js';

const traitKind = z.enum(['Trait', 'ClusterTrait']);

/**
 * An immutable snapshot of a component: its type's spec, the specs of the traits it uses, its parameter
 * and trait values, and its Workload (without the owner). Release bindings deploy it.
 */
export const componentReleaseSchema = namespacedKind(
  'ComponentRelease',
  z.strictObject({
    owner: z.strictObject({ projectName: objectName, componentName: objectName }),
    componentType: z.strictObject({
      kind: z.enum(['ComponentType', 'ClusterComponentType']),
      /** `<workloadType>/<typeName>`, as the component references it. */
      name: nonEmptyString,
      spec: componentTypeSpecSchema,
    }),
    traits: z
      .array(z.strictObject({ kind: traitKind, name: nonEmptyString, spec: traitSpecSchema }))
      .max(100)
      .optional(),
    componentProfile: z
      .strictObject({
        parameters: freeForm.optional(),
        traits: z
          .array(z.strictObject({ kind: traitKind, name: nonEmptyString, instanceName: nonEmptyString, parameters: freeForm.optional() }))
          .optional(),
      })
      .optional(),
    workload: workloadTemplateSchema,
  }),
  emptyStatus,
);

export type ComponentRelease = z.infer<typeof componentReleaseSchema>;
export type ComponentReleaseSpec = ComponentRelease['spec'];
