import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { InvalidInputError } from '../../../../shared/errors/plane-errors.js';

/** An `openAPIV3Schema` as a component type or trait declares it (environmentConfigs, parameters). */
export type OpenApiSchema = Record<string, unknown>;

/** One refused setting: its path (`spec.componentTypeEnvironmentConfigs.replicas`) and what the schema says. */
export interface SettingsIssue {
  path: string;
  message: string;
}

/** Settings a schema refuses; the message lists every issue, each in the schema's own words. */
export class SettingsValidationError extends InvalidInputError {
  constructor(readonly issues: readonly SettingsIssue[]) {
    super(
      issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
      "Use only the settings the component type's environmentConfigs schema declares, with the types it gives.",
    );
  }
}

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;
const SUBSCHEMA_MAPS = ['properties', '$defs', 'definitions'] as const;

function isSchema(value: unknown): value is OpenApiSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Kubernetes reads these schemas structurally: an object that declares properties has no others unless
 * it says `x-kubernetes-preserve-unknown-fields`. JSON Schema's default is the opposite, so make it explicit.
 */
export function closeObjects(schema: OpenApiSchema): OpenApiSchema {
  const out: OpenApiSchema = { ...schema };
  for (const key of SUBSCHEMA_MAPS) {
    if (isSchema(out[key]))
      out[key] = Object.fromEntries(Object.entries(out[key]).map(([name, child]) => [name, isSchema(child) ? closeObjects(child) : child]));
  }
  for (const key of SUBSCHEMA_LISTS) {
    if (Array.isArray(out[key])) out[key] = out[key].map((child: unknown) => (isSchema(child) ? closeObjects(child) : child));
  }
  for (const key of ['items', 'additionalProperties', 'not'] as const) {
    if (isSchema(out[key])) out[key] = closeObjects(out[key]);
  }
  if (isSchema(out.properties) && out.additionalProperties === undefined && out[PRESERVE] !== true) out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 200;

function validatorFor(schema: OpenApiSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(closeObjects(schema));
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, validate);
  }
  return validate;
}

/** `#/$defs/ResourceQuantity/properties/cpu` → that subschema of `root`. */
function schemaAt(root: OpenApiSchema, pointer: string): OpenApiSchema | undefined {
  let node: unknown = root;
  for (const segment of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (!isSchema(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isSchema(node) ? node : undefined;
}

function joinPath(root: string, pointer: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [root, ...segments].filter(Boolean).join('.');
}

function describeIssue(root: OpenApiSchema, basePath: string, error: ErrorObject): SettingsIssue {
  const node = schemaAt(root, error.schemaPath.slice(0, error.schemaPath.lastIndexOf('/'))) ?? {};
  const description = typeof node.description === 'string' ? ` (${node.description})` : '';
  const path = joinPath(basePath, error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = isSchema(node.properties) ? Object.keys(node.properties) : [];
      return {
        path: `${path}.${String(error.params.additionalProperty)}`,
        message: `unknown setting; ${allowed.length ? `allowed here: ${allowed.join(', ')}` : 'none are allowed here'}`,
      };
    }
    case 'required': {
      const missing = String(error.params.missingProperty);
      const child = isSchema(node.properties) ? (node.properties as Record<string, unknown>)[missing] : undefined;
      const what = isSchema(child) && typeof child.description === 'string' ? ` (${child.description})` : '';
      return { path: `${path}.${missing}`, message: `is required${what}` };
    }
    case 'enum':
      return { path, message: `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}${description}` };
    default:
      return { path, message: `${error.message ?? 'is invalid'}${description}` };
  }
}

/**
 * Check settings against an environmentConfigs (or trait) schema with ajv; `$defs` and `$ref` work as in
 * OpenChoreo's samples. Throws SettingsValidationError naming each bad path.
 */
export function validateSettings(schema: OpenApiSchema, settings: unknown, basePath: string): void {
  const validate = validatorFor(schema);
  if (validate(settings)) return;
  throw new SettingsValidationError((validate.errors ?? []).map((error) => describeIssue(schema, basePath, error)));
}

function resolveRef(root: OpenApiSchema, node: OpenApiSchema): OpenApiSchema {
  let current = node;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
    current = { ...(schemaAt(root, current.$ref) ?? {}), ...Object.fromEntries(Object.entries(current).filter(([key]) => key !== '$ref')) };
  }
  return current;
}

/**
 * Settings with the schema's defaults filled in, and anything it does not declare pruned, as OpenChoreo
 * renders `environmentConfigs`: a missing field takes its default, then defaults apply inside it.
 */
export function withSchemaDefaults(schema: OpenApiSchema, settings: unknown, root: OpenApiSchema = schema): unknown {
  const node = resolveRef(root, schema);
  const value = settings === undefined && node.default !== undefined ? structuredClone(node.default) : settings;
  if (Array.isArray(value) && isSchema(node.items)) return value.map((item) => withSchemaDefaults(node.items as OpenApiSchema, item, root));
  if (!isSchema(value) || !isSchema(node.properties)) return value;
  const properties = node.properties as Record<string, OpenApiSchema>;
  const keepUnknown = node[PRESERVE] === true || node.additionalProperties === true || isSchema(node.additionalProperties);
  const out: Record<string, unknown> = keepUnknown ? { ...value } : {};
  for (const [name, child] of Object.entries(properties)) {
    const filled = withSchemaDefaults(child, value[name], root);
    if (filled !== undefined) out[name] = filled;
  }
  return out;
}
