import * as z from 'zod';
import { limitedMap, listMap, listSet, nonEmptyString, objectName, port, secretKeyRef } from './common.js';

/** A value is literal or comes from a SecretReference key, never both. */
function literalOrSecret(entry: { value?: string | undefined; valueFrom?: unknown }, context: z.RefinementCtx) {
  if (entry.value !== undefined && entry.valueFrom !== undefined) {
    context.addIssue({ code: 'custom', path: ['valueFrom'], message: 'value and valueFrom are mutually exclusive' });
  }
}

/** `valueFrom.secretKeyRef` names a SecretReference and one of its keys; the value itself stays in the secret store. */
const valueFrom = z.strictObject({ secretKeyRef: secretKeyRef.optional() });

export const envVarSchema = z
  .strictObject({ key: z.string(), value: z.string().optional(), valueFrom: valueFrom.optional() })
  .superRefine(literalOrSecret);

export const fileVarSchema = z
  .strictObject({ key: z.string(), mountPath: z.string(), value: z.string().optional(), valueFrom: valueFrom.optional() })
  .superRefine(literalOrSecret);

export const containerSchema = z.strictObject({
  image: nonEmptyString,
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(envVarSchema).optional(),
  files: z.array(fileVarSchema).optional(),
});

export const ENDPOINT_TYPES = ['HTTP', 'gRPC', 'GraphQL', 'Websocket', 'TCP', 'UDP'] as const;
/** Every endpoint is visible to its project; `visibility` lists the scopes beyond that. */
export const ENDPOINT_VISIBILITIES = ['project', 'namespace', 'internal', 'external'] as const;

export const endpointSchema = z.strictObject({
  type: z.enum(ENDPOINT_TYPES),
  port,
  targetPort: port.optional(),
  basePath: z.string().optional(),
  displayName: z.string().optional(),
  schema: z.strictObject({ type: z.string().optional(), content: z.string().optional() }).optional(),
  visibility: listSet(z.enum(ENDPOINT_VISIBILITIES)).optional(),
});

/** A connection to another component's endpoint, its URL handed to the container through env vars. */
export const endpointDependencySchema = z.strictObject({
  component: nonEmptyString,
  name: nonEmptyString,
  /** The target's project; the consumer's own when left out. */
  project: z.string().optional(),
  visibility: z.enum(['project', 'namespace']),
  envBindings: z.strictObject({
    address: z.string().optional(),
    host: z.string().optional(),
    port: z.string().optional(),
    basePath: z.string().optional(),
  }),
});

function noEmptyEntries(label: string) {
  return (map: Record<string, string>, context: z.RefinementCtx) => {
    for (const [key, value] of Object.entries(map)) {
      if (key.length === 0 || value.length === 0) context.addIssue({ code: 'custom', path: [key], message: `${label} cannot be empty` });
    }
  };
}

/** Outputs of a project-bound Resource (a Redis, a database …) wired into the container. */
export const resourceDependencySchema = z.strictObject({
  ref: nonEmptyString,
  envBindings: limitedMap(z.string(), 50)
    .superRefine(noEmptyEntries('envBindings keys (output names) and values (env var names)'))
    .optional(),
  fileBindings: limitedMap(z.string(), 50)
    .superRefine(noEmptyEntries('fileBindings keys (output names) and values (mount paths)'))
    .optional(),
});

export const dependenciesSchema = z.strictObject({
  endpoints: z.array(endpointDependencySchema).max(50).optional(),
  resources: listMap(resourceDependencySchema, 'ref', 50).optional(),
});

/** What a component runs (Workload spec without its owner), as a ComponentRelease freezes it. */
export const workloadTemplateFields = {
  container: containerSchema,
  endpoints: z.record(objectName, endpointSchema).optional(),
  dependencies: dependenciesSchema.optional(),
};

export const workloadTemplateSchema = z.strictObject(workloadTemplateFields);

export type EnvVar = z.infer<typeof envVarSchema>;
export type FileVar = z.infer<typeof fileVarSchema>;
export type Endpoint = z.infer<typeof endpointSchema>;
export type EndpointDependency = z.infer<typeof endpointDependencySchema>;
export type Dependencies = z.infer<typeof dependenciesSchema>;
export type WorkloadTemplate = z.infer<typeof workloadTemplateSchema>;
