/** The OpenSearch adapter for logs and traces (OpenChoreo's index and field conventions by default). */
export { createOpenSearchBackend, type OpenSearchBackend, type OpenSearchBackendOptions, type WriteOptions } from './opensearch-backend.js';
export { ensureIndexTemplates, logIndexMappings, traceIndexMappings, type IndexTemplateOptions } from './templates.js';
export { DEFAULT_FIELDS, resolveFields, type FieldNames } from './fields.js';
export { deriveLevel, normalizeLevel } from './levels.js';
export { escapeWildcard } from './queries.js';
export { dayIndex, windowIndices } from './indices.js';
export { createClient, OpenSearchQueryError, type ConnectionOptions } from './transport.js';
