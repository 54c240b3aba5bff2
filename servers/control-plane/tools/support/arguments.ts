import * as z from 'zod';
import { secretValue } from '../../../../shared/audit/redact.js';
import { envVarName, resourceName } from '../../domain/names.js';

/** Argument fields shared by the control-plane tools, named as OpenChoreo names them. */
export const namespaceName = resourceName.describe('Namespace (organisation), e.g. default');
export const projectName = resourceName.describe('Project name');
export const componentName = resourceName.describe('Component name');
export const environmentName = resourceName.describe('Environment name, e.g. development');
export const limit = z.number().int().min(1).max(100).default(20).describe('Page size (1-100, default 20)');
export const cursor = z.string().max(512).optional().describe('next_cursor from the previous page');
export const resourceVersion = z
  .string()
  .regex(/^\d+$/, { error: 'must be the resourceVersion you read (digits)' })
  .optional()
  .describe('The resourceVersion you read; the change is refused if the object changed since');
export const displayName = z.string().max(100).optional();
export const description = z.string().max(500).optional();

/** One environment variable to set. Its value may be a credential, so logs and the audit trail only show `[redacted]`. */
export const environmentVariable = z.object({ key: envVarName, value: secretValue(z.string().max(4096)) });
