import * as z from 'zod';
import { durationString, freeForm, nonEmptyString, timestamp } from './common.js';
import { conditionsByType } from './conditions.js';
import { namespacedKind } from './kind.js';

/** Labels that tie a component's build run to its project and component (OpenChoreo's label keys). */
export const PROJECT_LABEL = 'openchoreo.dev/project';
export const COMPONENT_LABEL = 'openchoreo.dev/component';

export const TASK_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Skipped', 'Error'] as const;

const planeObjectRef = z.strictObject({
  apiVersion: nonEmptyString,
  kind: nonEmptyString,
  name: nonEmptyString,
  namespace: z.string().optional(),
});

/** One execution of a Workflow or ClusterWorkflow with parameter values. */
export const workflowRunSchema = namespacedKind(
  'WorkflowRun',
  z.strictObject({
    /** Kind and name are immutable. */
    workflow: z.strictObject({
      kind: z.enum(['Workflow', 'ClusterWorkflow']).default('ClusterWorkflow'),
      name: nonEmptyString,
      parameters: freeForm.optional(),
    }),
    ttlAfterCompletion: durationString.optional(),
  }),
  z.strictObject({
    conditions: conditionsByType.optional(),
    startedAt: timestamp.optional(),
    completedAt: timestamp.optional(),
    /** The engine's run object on the workflow plane (an Argo Workflow). */
    runReference: planeObjectRef.optional(),
    resources: z.array(planeObjectRef).optional(),
    /** The run's steps in execution order, engine-neutral. */
    tasks: z
      .array(
        z.strictObject({
          name: nonEmptyString,
          phase: z.enum(TASK_PHASES).optional(),
          startedAt: timestamp.optional(),
          completedAt: timestamp.optional(),
          message: z.string().optional(),
        }),
      )
      .optional(),
  }),
);

export type WorkflowRun = z.infer<typeof workflowRunSchema>;
