import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import type { Subject } from '../../../shared/auth/subject.js';
import { isKnownAction } from '../../../shared/authz/actions.js';
import { DECISION_REASONS } from '../../../shared/authz/decision.js';
import { resourcePath } from '../../../shared/authz/resource-path.js';
import { ForbiddenError, InvalidInputError } from '../../../shared/errors/plane-errors.js';
import { createWhoamiTool } from '../../../shared/tools/whoami.js';
import type { ControlPlaneDeps } from '../deps.js';
import { resourceName } from '../domain/names.js';
import { controlPlaneTool } from './support/define.js';

export const explainAccess = controlPlaneTool({
  name: 'explain_access',
  title: 'Explain access',
  description:
    'Could a subject do an action on a resource, and which binding decides? Defaults to you; explaining someone else needs authz:explain.',
  toolset: 'identity',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({
    action: z.string().max(63).describe('e.g. releasebinding:update'),
    namespace_name: resourceName.optional(),
    project_name: resourceName.optional(),
    component_name: resourceName.optional(),
    environment: resourceName.optional().describe('Environment the action targets (production rules depend on it)'),
    subject: z
      .object({
        type: z.enum(['user', 'service']),
        id: z.string().min(1).max(200),
        groups: z.array(z.string().max(200)).max(50).default([]),
      })
      .optional()
      .describe('Whom to explain; omit for yourself'),
  }),
  output: z.object({
    subject: z.string(),
    action: z.string(),
    resource: z.string(),
    allowed: z.boolean(),
    reason: z.enum(DECISION_REASONS),
    binding: z.object({ name: z.string(), role: z.string(), effect: z.string(), scope: z.string() }).optional(),
    wouldAllow: z.array(z.string()).optional(),
    explanation: z.string(),
  }),
  authorization: {
    callerOnly: true,
    reason: 'explaining your own access needs no permission; explaining someone else is checked in the handler against authz:explain',
  },
  handler: async (input, context) => {
    if (!isKnownAction(input.action))
      throw new InvalidInputError(`unknown action ${input.action}`, 'Actions look like component:view or releasebinding:update.');
    let subject: Subject = context.subject;
    if (input.subject) {
      const decision = context.policy.decide({ subject: context.subject, action: 'authz:explain', resource: {} });
      if (!decision.allowed) throw new ForbiddenError(decision);
      subject = { type: input.subject.type, id: input.subject.id, groups: input.subject.type === 'user' ? input.subject.groups : [] };
    }
    const resource = {
      ...(input.namespace_name ? { namespace: input.namespace_name } : {}),
      ...(input.project_name ? { project: input.project_name } : {}),
      ...(input.component_name ? { component: input.component_name } : {}),
    };
    const environment =
      input.environment && input.namespace_name
        ? await context.deps.store.get('Environment', input.namespace_name, input.environment)
        : undefined;
    const component =
      input.component_name && input.namespace_name
        ? await context.deps.store.get('Component', input.namespace_name, input.component_name)
        : undefined;
    const decision = context.policy.decide({
      subject,
      action: input.action,
      resource,
      attributes: {
        ...(input.environment ? { environment: input.environment } : {}),
        ...(environment ? { isProduction: environment.spec.isProduction } : {}),
        ...(component ? { componentType: component.spec.componentType } : {}),
      },
    });
    return {
      subject: `${subject.type}:${subject.id}`,
      action: input.action,
      resource: resourcePath(resource),
      allowed: decision.allowed,
      reason: decision.reason,
      ...(decision.binding
        ? {
            binding: {
              name: decision.binding.name,
              role: decision.binding.role,
              effect: decision.binding.effect,
              scope: decision.binding.scope,
            },
          }
        : {}),
      ...(decision.wouldAllow ? { wouldAllow: decision.wouldAllow } : {}),
      explanation: decision.explanation,
    };
  },
  summarize: (result) => `${result.allowed ? 'ALLOWED' : 'DENIED'}: ${result.explanation}`,
});

export default [createWhoamiTool<ControlPlaneDeps>(SCOPES.controlPlaneRead), explainAccess];
