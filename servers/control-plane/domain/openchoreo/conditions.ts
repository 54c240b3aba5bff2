import * as z from 'zod';
import { listMap, timestamp } from './common.js';

/** `metav1.Condition`, as every OpenChoreo status carries it. */
export const condition = z.strictObject({
  type: z
    .string()
    .max(316)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/, {
      error: 'must be CamelCase or foo.example.com/CamelCase',
    }),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: timestamp,
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/, { error: 'must be a CamelCase identifier' }),
  message: z.string().max(32768),
});

export type Condition = z.infer<typeof condition>;

export const conditions = z.array(condition);
/** Conditions keyed by type (`x-kubernetes-list-type: map`), as the Workflow and WorkflowRun CRDs declare. */
export const conditionsByType = listMap(condition, 'type');

/** Condition types and reasons OpenChoreo's controllers write (internal/controller/*\/controller_conditions.go). */
export const RELEASE_BINDING_CONDITIONS = {
  ready: 'Ready',
  releaseSynced: 'ReleaseSynced',
  resourcesReady: 'ResourcesReady',
  connectionsResolved: 'ConnectionsResolved',
} as const;

export const WORKFLOW_RUN_CONDITIONS = {
  running: 'WorkflowRunning',
  succeeded: 'WorkflowSucceeded',
  failed: 'WorkflowFailed',
  completed: 'WorkflowCompleted',
} as const;

export const COMPONENT_CONDITIONS = { ready: 'Ready' } as const;

/** The condition of `type`, if the status has one. */
export function findCondition(list: readonly Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((entry) => entry.type === type);
}
