import * as z from 'zod';
import { objectName } from './common.js';
import { emptyStatus, namespacedKind } from './kind.js';
import { workloadTemplateFields } from './workload-spec.js';

/** What a component runs: container (image, command, env, files), endpoints, dependencies. One per component. */
export const workloadSchema = namespacedKind(
  'Workload',
  z.strictObject({
    owner: z.strictObject({ projectName: objectName, componentName: objectName }),
    ...workloadTemplateFields,
  }),
  emptyStatus,
);

export type Workload = z.infer<typeof workloadSchema>;
