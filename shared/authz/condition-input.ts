import type { Subject } from '../auth/subject.js';
import type { ConditionInput } from './conditions.js';
import type { AccessAttributes } from './decision.js';

/** What binding conditions see: only well-typed, non-empty attribute values count as known; anything else is "not supplied". */
export function conditionInputOf(subject: Subject, attributes: AccessAttributes | undefined): ConditionInput {
  const a = attributes ?? {};
  return {
    environment: typeof a.environment === 'string' && a.environment !== '' ? a.environment : undefined,
    isProduction: typeof a.isProduction === 'boolean' ? a.isProduction : undefined,
    componentType: typeof a.componentType === 'string' && a.componentType !== '' ? a.componentType : undefined,
    subjectType: subject.type === 'service' ? 'service' : 'user',
  };
}
