/**
 * Reads and validates the policy directory: `model.conf` (the Casbin model), `roles.yaml` and
 * `bindings.yaml`. Everything is checked before anything is used; a bad file is refused with an
 * error that names the file, the role or binding, and the field.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newModelFromString, type Model } from 'casbin';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ACTION_KINDS, expandActionPatterns, isValidActionPattern } from './actions.js';
import { compileCondition, type CompiledCondition, type Conditions } from './conditions.js';
import { InvalidResourceNameError, resourcePath, type ResourceRef } from './resource-path.js';

export const MODEL_FILE = 'model.conf';
export const ROLES_FILE = 'roles.yaml';
export const BINDINGS_FILE = 'bindings.yaml';

/** A policy file was missing, unparsable or invalid. Names the file and, where it applies, the role or binding and field. */
export class PolicyLoadError extends Error {
  override readonly name = 'PolicyLoadError';
  constructor(
    message: string,
    readonly file: string,
    readonly details: { role?: string; binding?: string; field?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RoleDef {
  name: string;
  description: string;
  /** Patterns as written (`*`, `kind:*`, exact). */
  actions: string[];
  /** The concrete catalogue actions those patterns cover. */
  expanded: string[];
  /** Helper role used by deny bindings; never suggested as a role to grant. */
  internal: boolean;
}

export interface BindingDef {
  name: string;
  role: string;
  subjects: string[];
  scope: ResourceRef;
  /** The scope as a resource path (`*` when omitted). */
  path: string;
  effect: 'allow' | 'deny';
  description?: string;
  when?: Conditions;
  condition?: CompiledCondition;
}

export interface PolicySource {
  dir: string;
  modelText: string;
  model: Model;
  roles: Map<string, RoleDef>;
  bindings: BindingDef[];
  /** sha256 over the three files, for logs and change detection. */
  hash: string;
}

// ---------- schemas ----------

const ROLE_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const BINDING_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const COMPONENT_TYPE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\/[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$/;

const RoleSchema = z.strictObject({
  description: z.string().min(1, 'a role needs a description'),
  actions: z.array(z.string()).min(1, 'a role needs at least one action'),
  internal: z.boolean().optional(),
});

const RolesFileSchema = z.strictObject({
  roles: z.record(z.string().regex(ROLE_NAME, 'role names are lowercase letters, digits and "-"'), RoleSchema),
});

const SubjectSchema = z
  .string()
  .regex(
    /^(authenticated|(group|user|service):[^\s]{1,256})$/,
    'a subject is "group:<name>", "user:<id>", "service:<clientId>" or "authenticated"',
  );

const ScopeSchema = z.strictObject({
  namespace: z.string().optional(),
  project: z.string().optional(),
  component: z.string().optional(),
});

const WhenSchema = z
  .strictObject({
    environment: z.array(z.string().regex(DNS_LABEL, 'environment names are DNS-1123 labels')).min(1, 'list at least one environment'),
    isProduction: z.boolean(),
    componentType: z
      .array(z.string().regex(COMPONENT_TYPE, 'component types look like "service" or "deployment/service"'))
      .min(1, 'list at least one component type'),
    subjectType: z.enum(['user', 'service']),
  })
  .partial()
  .refine((when) => Object.keys(when).length > 0, 'a "when" block must name at least one condition');

const BindingSchema = z.strictObject({
  name: z.string().max(253).regex(BINDING_NAME, 'binding names are lowercase letters, digits, "." and "-"'),
  role: z.string().min(1),
  subjects: z.array(SubjectSchema).min(1, 'a binding needs at least one subject'),
  scope: ScopeSchema.optional(),
  effect: z.enum(['allow', 'deny']).default('allow'),
  description: z.string().optional(),
  when: WhenSchema.optional(),
});

const BindingsFileSchema = z.strictObject({ bindings: z.array(BindingSchema) });

// ---------- loading ----------

async function readText(dir: string, file: string): Promise<string> {
  try {
    return await readFile(join(dir, file), 'utf8');
  } catch (err) {
    throw new PolicyLoadError(
      `${file}: cannot read ${join(dir, file)}: ${(err as Error).message}`,
      file,
      {},
      {
        cause: err,
      },
    );
  }
}

function parseYamlFile(file: string, text: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new PolicyLoadError(`${file}: invalid YAML: ${(err as Error).message}`, file, {}, { cause: err });
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

const EXPECTED_R = ['r_subs', 'r_res', 'r_act', 'r_attrs'];
const EXPECTED_P = ['p_sub', 'p_res', 'p_role', 'p_eft', 'p_cond', 'p_binding'];
export const DENY_OVERRIDE_EFFECT = 'some(where (p_eft == allow)) && !some(where (p_eft == deny))';

/** Parses the Casbin model and checks that its request/policy layout is the one the engine fills in. */
export function parseModel(text: string): Model {
  let model: Model;
  try {
    model = newModelFromString(text);
  } catch (err) {
    throw new PolicyLoadError(
      `${MODEL_FILE}: not a valid Casbin model: ${(err as Error).message}`,
      MODEL_FILE,
      {},
      {
        cause: err,
      },
    );
  }
  const tokens = (sec: string, key: string) => model.model.get(sec)?.get(key)?.tokens ?? [];
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  if (!same(tokens('r', 'r'), EXPECTED_R)) {
    throw new PolicyLoadError(`${MODEL_FILE}: request_definition must be "r = subs, res, act, attrs"`, MODEL_FILE, {
      field: 'request_definition',
    });
  }
  if (!same(tokens('p', 'p'), EXPECTED_P)) {
    throw new PolicyLoadError(`${MODEL_FILE}: policy_definition must be "p = sub, res, role, eft, cond, binding"`, MODEL_FILE, {
      field: 'policy_definition',
    });
  }
  if (!model.model.get('g')?.get('g')) {
    throw new PolicyLoadError(`${MODEL_FILE}: role_definition must define "g = _, _"`, MODEL_FILE, {
      field: 'role_definition',
    });
  }
  const effect = model.model.get('e')?.get('e')?.value;
  if (effect !== DENY_OVERRIDE_EFFECT) {
    throw new PolicyLoadError(
      `${MODEL_FILE}: policy_effect must be deny-override: "some(where (p.eft == allow)) && !some(where (p.eft == deny))"`,
      MODEL_FILE,
      { field: 'policy_effect' },
    );
  }
  if (!model.model.get('m')?.get('m')?.value) {
    throw new PolicyLoadError(`${MODEL_FILE}: [matchers] must define m`, MODEL_FILE, { field: 'matchers' });
  }
  return model;
}

export function parseRoles(text: string): Map<string, RoleDef> {
  const raw = parseYamlFile(ROLES_FILE, text);
  const result = RolesFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const role = issue.path[0] === 'roles' && typeof issue.path[1] === 'string' ? issue.path[1] : undefined;
    const field = fieldPath(issue.path.slice(role === undefined ? 0 : 2));
    throw new PolicyLoadError(
      `${ROLES_FILE}: ${role !== undefined ? `role '${role}': ` : ''}${field ? `${field}: ` : ''}${issue.message}`,
      ROLES_FILE,
      { ...(role !== undefined && { role }), ...(field && { field }) },
    );
  }
  const roles = new Map<string, RoleDef>();
  for (const [name, def] of Object.entries(result.data.roles)) {
    def.actions.forEach((pattern, i) => {
      if (!isValidActionPattern(pattern)) {
        throw new PolicyLoadError(
          `${ROLES_FILE}: role '${name}': actions[${i}]: unknown action or pattern '${pattern}' ` +
            `(use '*', '<kind>:*' or a catalogue action; kinds: ${ACTION_KINDS.join(', ')})`,
          ROLES_FILE,
          { role: name, field: `actions[${i}]` },
        );
      }
    });
    roles.set(name, {
      name,
      description: def.description,
      actions: [...def.actions],
      expanded: expandActionPatterns(def.actions),
      internal: def.internal ?? false,
    });
  }
  return roles;
}

export function parseBindings(text: string, roles: ReadonlyMap<string, RoleDef>): BindingDef[] {
  const raw = parseYamlFile(BINDINGS_FILE, text);
  const result = BindingsFileSchema.safeParse(raw);
  const nameAt = (i: number): string | undefined => {
    const list = (raw as { bindings?: unknown } | null)?.bindings;
    const item = Array.isArray(list) ? (list[i] as { name?: unknown } | undefined) : undefined;
    return typeof item?.name === 'string' ? item.name : undefined;
  };
  const label = (i: number, name?: string) => `binding ${name !== undefined ? `'${name}' ` : ''}(#${i + 1})`;
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const index = issue.path[0] === 'bindings' && typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
    const name = index === undefined ? undefined : nameAt(index);
    const field = fieldPath(issue.path.slice(index === undefined ? 0 : 2));
    throw new PolicyLoadError(
      `${BINDINGS_FILE}: ${index !== undefined ? `${label(index, name)}: ` : ''}${field ? `${field}: ` : ''}${issue.message}`,
      BINDINGS_FILE,
      { ...(name !== undefined && { binding: name }), ...(field && { field }) },
    );
  }
  const seen = new Set<string>();
  return result.data.bindings.map((b, i): BindingDef => {
    const where = `${BINDINGS_FILE}: ${label(i, b.name)}`;
    if (seen.has(b.name)) {
      throw new PolicyLoadError(`${where}: name: duplicate binding name`, BINDINGS_FILE, {
        binding: b.name,
        field: 'name',
      });
    }
    seen.add(b.name);
    if (!roles.has(b.role)) {
      throw new PolicyLoadError(`${where}: role: unknown role '${b.role}' (roles: ${[...roles.keys()].join(', ')})`, BINDINGS_FILE, {
        binding: b.name,
        field: 'role',
      });
    }
    const scope: ResourceRef = {};
    if (b.scope?.namespace !== undefined) scope.namespace = b.scope.namespace;
    if (b.scope?.project !== undefined) scope.project = b.scope.project;
    if (b.scope?.component !== undefined) scope.component = b.scope.component;
    let path: string;
    try {
      path = resourcePath(scope);
    } catch (err) {
      if (err instanceof InvalidResourceNameError) {
        throw new PolicyLoadError(
          `${where}: scope.${err.field}: ${err.message}`,
          BINDINGS_FILE,
          {
            binding: b.name,
            field: `scope.${err.field}`,
          },
          { cause: err },
        );
      }
      throw err;
    }
    const def: BindingDef = {
      name: b.name,
      role: b.role,
      subjects: [...new Set(b.subjects)],
      scope,
      path,
      effect: b.effect,
    };
    if (b.description !== undefined) def.description = b.description;
    if (b.when !== undefined) {
      def.when = b.when;
      def.condition = compileCondition(b.when);
    }
    return def;
  });
}

/** Reads the whole directory and validates it. Throws `PolicyLoadError`. */
export async function readPolicyDir(dir: string): Promise<PolicySource> {
  // All three are read at once; a failure is reported for the first file in this order, whichever read failed first.
  const reads = await Promise.allSettled([readText(dir, MODEL_FILE), readText(dir, ROLES_FILE), readText(dir, BINDINGS_FILE)]);
  const failure = reads.find((read) => read.status === 'rejected');
  if (failure) throw failure.reason;
  const [modelText, rolesText, bindingsText] = reads.map((read) => (read as PromiseFulfilledResult<string>).value) as [
    string,
    string,
    string,
  ];
  const model = parseModel(modelText);
  const roles = parseRoles(rolesText);
  const bindings = parseBindings(bindingsText, roles);
  const hash = createHash('sha256').update(modelText).update('\0').update(rolesText).update('\0').update(bindingsText).digest('hex');
  return { dir, modelText, model, roles, bindings, hash };
}
