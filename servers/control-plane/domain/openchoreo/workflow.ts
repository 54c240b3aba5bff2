import * as z from 'zod';
import { celExpression, durationString, freeForm, listMap, nonEmptyString } from './common.js';
import { conditionsByType } from './conditions.js';
import { clusterKind, namespacedKind } from './kind.js';
import { schemaSection } from './templates.js';

const DEFAULT_WORKFLOW_PLANE = { kind: 'ClusterWorkflowPlane', name: 'default' } as const;

function workflowSpec<PlaneKind extends z.ZodType<string>>(planeKind: PlaneKind) {
  return z.strictObject({
    /** The schema a component's (or a run's) workflow parameters are validated against. */
    parameters: schemaSection.optional(),
    /** The engine's run object (an Argo Workflow), rendered per run with `${…}` expressions. */
    runTemplate: freeForm,
    resources: z.array(z.strictObject({ id: nonEmptyString, includeWhen: celExpression.optional(), template: freeForm })).optional(),
    externalRefs: listMap(
      z.strictObject({
        id: z
          .string()
          .min(2)
          .max(63)
          .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, { error: 'must start with a letter, then lowercase letters, digits and -' }),
        apiVersion: nonEmptyString,
        kind: z.enum(['SecretReference']),
        name: nonEmptyString,
      }),
      'id',
    ).optional(),
    /** How long a finished run is kept, e.g. 1d. */
    ttlAfterCompletion: durationString.optional(),
    /** Immutable. */
    workflowPlaneRef: z
      .strictObject({ kind: planeKind, name: z.string().min(1).max(63) })
      .default(DEFAULT_WORKFLOW_PLANE as { kind: z.output<PlaneKind>; name: string }),
  });
}

const workflowStatus = z.strictObject({ conditions: conditionsByType.optional() });

export const workflowSchema = namespacedKind('Workflow', workflowSpec(z.enum(['WorkflowPlane', 'ClusterWorkflowPlane'])), workflowStatus);
export const clusterWorkflowSchema = clusterKind('ClusterWorkflow', workflowSpec(z.enum(['ClusterWorkflowPlane'])), workflowStatus);

export type Workflow = z.infer<typeof workflowSchema>;
export type ClusterWorkflow = z.infer<typeof clusterWorkflowSchema>;
