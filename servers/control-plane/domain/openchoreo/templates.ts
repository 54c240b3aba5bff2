import * as z from 'zod';
import { celExpression, celVariable, freeForm, nonEmptyString } from './common.js';

/** `{openAPIV3Schema}`: a parameters or environmentConfigs schema, kept as written. */
export const schemaSection = z.strictObject({ openAPIV3Schema: freeForm.optional() });

export const targetPlane = z.enum(['dataplane', 'observabilityplane']).default('dataplane');

/** A rule checked before rendering: `${…}` must hold, else `message`. */
export const validationRule = z.strictObject({ rule: celExpression, message: nonEmptyString });

/** CEL `forEach` needs `var` to bind each item to. */
function requireVarWithForEach(value: { forEach?: string | undefined; var?: string | undefined }, context: z.RefinementCtx) {
  if (value.forEach !== undefined && value.var === undefined) {
    context.addIssue({ code: 'custom', path: ['var'], message: 'var is required when forEach is specified' });
  }
}

const looping = { forEach: celExpression.optional(), var: celVariable.optional() };

/** A resource template of a component or project type; `id` names it (the primary one is the workload type). */
export const resourceTemplate = z
  .strictObject({
    id: nonEmptyString,
    includeWhen: celExpression.optional(),
    targetPlane,
    template: freeForm,
    ...looping,
  })
  .superRefine(requireVarWithForEach);

const patchTarget = z.strictObject({
  group: z.string(),
  version: nonEmptyString,
  kind: nonEmptyString,
  where: celExpression.optional(),
});

export const postRenderValidation = z
  .strictObject({
    target: patchTarget.extend({ mustMatch: z.boolean().default(true) }),
    targetPlane,
    rule: celExpression,
    message: nonEmptyString,
    when: celExpression.optional(),
    ...looping,
  })
  .superRefine(requireVarWithForEach);

/** What a trait adds to the rendered objects. */
export const traitCreate = z
  .strictObject({ includeWhen: celExpression.optional(), targetPlane, template: freeForm, ...looping })
  .superRefine(requireVarWithForEach);

export const traitPatch = z
  .strictObject({
    target: patchTarget,
    targetPlane,
    operations: z
      .array(z.strictObject({ op: z.enum(['add', 'replace', 'remove']), path: z.string(), value: z.unknown().optional() }))
      .min(1),
    ...looping,
  })
  .superRefine(requireVarWithForEach);

export const traitRemove = z.strictObject({ target: patchTarget, targetPlane, ...looping }).superRefine(requireVarWithForEach);

/** `validations` is deprecated in favour of `preRenderValidations`; an object may use one of them. */
export function onlyOneValidationList(
  spec: { validations?: unknown[] | undefined; preRenderValidations?: unknown[] | undefined },
  context: z.RefinementCtx,
) {
  if (spec.validations?.length && spec.preRenderValidations?.length) {
    context.addIssue({
      code: 'custom',
      path: ['validations'],
      message: 'set only one of spec.validations or spec.preRenderValidations; validations is deprecated, use preRenderValidations',
    });
  }
}
