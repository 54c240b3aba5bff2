import type { Client } from '@opensearch-project/opensearch';
import { DEFAULT_FIELDS, resolveFields, type FieldNames } from './fields.js';
import { validateIndexPrefix } from './indices.js';
import { send } from './transport.js';

export interface IndexTemplateOptions {
  logIndexPrefix?: string;
  traceIndexPrefix?: string;
  fields?: Partial<FieldNames>;
  /** Replicas per index; default 0 (single-node demo and tests); production clusters pass 1+. */
  replicas?: number;
  /** Composable-template priority; default 100. Templates of overlapping patterns need distinct priorities. */
  priority?: number;
}

const KEYWORD = { type: 'keyword', ignore_above: 1024 } as const;

/**
 * Mappings for the daily log indices. `dynamic: false`: only the fields queried are indexed (anything
 * else Fluent Bit ships stays in `_source`), so label sprawl cannot explode the mapping. The message is a
 * `wildcard` field (as in OpenChoreo's template): substring search without an analyser.
 */
export function logIndexMappings(fields: FieldNames): Record<string, unknown> {
  return {
    dynamic: false,
    properties: {
      [fields.logTimestamp]: { type: 'date_nanos' },
      [fields.logMessage]: { type: 'wildcard' },
      [fields.logLevel]: KEYWORD,
      [fields.logNamespace]: KEYWORD,
      [fields.logProject]: KEYWORD,
      [fields.logComponent]: KEYWORD,
      [fields.logEnvironment]: KEYWORD,
      [fields.logWorkflowRun]: KEYWORD,
      [fields.logWorkflowTask]: KEYWORD,
      [fields.logPod]: KEYWORD,
      [fields.logContainer]: KEYWORD,
    },
  };
}

/**
 * Mappings for the daily span indices: ids, names and status as keywords, times as `date_nanos`;
 * `attributes` is stored but never indexed (`enabled: false`: any attribute set is accepted and no
 * mapping explosion); `resource` indexes only the service name and the OpenChoreo scope keys.
 */
export function traceIndexMappings(fields: FieldNames): Record<string, unknown> {
  return {
    dynamic: false,
    properties: {
      [fields.traceId]: KEYWORD,
      [fields.spanId]: KEYWORD,
      [fields.parentSpanId]: KEYWORD,
      [fields.spanName]: KEYWORD,
      [fields.spanKind]: KEYWORD,
      [fields.spanStartTime]: { type: 'date_nanos' },
      [fields.spanEndTime]: { type: 'date_nanos' },
      [fields.spanStatusCode]: KEYWORD,
      [fields.spanAttributes]: { type: 'object', enabled: false },
      [fields.spanResource]: {
        type: 'object',
        dynamic: false,
        properties: {
          [fields.serviceNameAttribute]: KEYWORD,
          [fields.namespaceAttribute]: KEYWORD,
          [fields.projectAttribute]: KEYWORD,
          [fields.componentAttribute]: KEYWORD,
          [fields.environmentAttribute]: KEYWORD,
        },
      },
    },
  };
}

function templateName(prefix: string): string {
  return `plane-mcp-${prefix.replace(/[^a-z0-9]+$/, '')}`;
}

/**
 * Installs (or replaces) the composable index templates of both families, `<prefix>*` each: one shard,
 * the mappings above. Idempotent. Used by the tests, the bench and the demo data plane.
 */
export async function ensureIndexTemplates(client: Client, options: IndexTemplateOptions = {}): Promise<void> {
  const fields = resolveFields(options.fields ?? DEFAULT_FIELDS);
  const logPrefix = validateIndexPrefix(options.logIndexPrefix ?? 'container-logs-', 'log index prefix');
  const tracePrefix = validateIndexPrefix(options.traceIndexPrefix ?? 'otel-traces-', 'trace index prefix');
  const settings = { number_of_shards: 1, number_of_replicas: options.replicas ?? 0 };
  const priority = options.priority ?? 100;
  const families = [
    { prefix: logPrefix, mappings: logIndexMappings(fields), kind: 'logs' },
    { prefix: tracePrefix, mappings: traceIndexMappings(fields), kind: 'traces' },
  ];
  for (const family of families) {
    await send(client, {
      method: 'PUT',
      path: `/_index_template/${encodeURIComponent(templateName(family.prefix))}`,
      body: {
        index_patterns: [`${family.prefix}*`],
        priority,
        template: { settings, mappings: family.mappings },
        _meta: { managed_by: 'plane-mcp', kind: family.kind },
      },
    });
  }
}
