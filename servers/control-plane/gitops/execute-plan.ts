import type { PlatformResource } from '../domain/resources.js';
import type { Actor, ResourceStore } from '../store/resource-store.js';
import type { ApplyOutcome } from './apply-report.js';
import type { Plan } from './plan-document.js';

export type WritePlan = Exclude<Plan, { action: 'refuse' }>;

export const OUTCOME_OF: Readonly<Record<WritePlan['action'], ApplyOutcome>> = {
  create: 'created',
  update: 'updated',
  unchanged: 'unchanged',
};

/**
 * Carry out a plan; returns the object as it now is (in a dry run, as it would be). An update is a
 * compare-and-swap on the version the plan read, so a concurrent change is refused, not overwritten.
 */
export async function executePlan(store: ResourceStore, plan: WritePlan, actor: Actor, dryRun: boolean): Promise<PlatformResource> {
  if (plan.action === 'unchanged' || dryRun) return plan.resource;
  if (plan.action === 'create') return store.create(plan.resource, actor);
  return store.update(plan.resource, actor, plan.expectedVersion ? { expectedVersion: plan.expectedVersion } : {});
}
