import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';

/**
 * The scenario file format: data, not code. A scenario is the prompts a person would give an
 * assistant, the identity it acts as, set-up steps (fault injection), and the ordered calls an
 * assistant would make with assertions on their results. `loadScenarioFile` validates a file and
 * names the file and the field of every problem.
 */

export const SERVERS = ['control-plane', 'observability-plane'] as const;
export type ServerName = (typeof SERVERS)[number];

export const SERVICE_CLIENTS = ['ci-deployer', 'sre-agent', 'finops-agent', 'readonly-assistant'] as const;
export const USERS = ['admin', 'platform', 'dev', 'sre', 'viewer'] as const;

const scopeOverride = z
  .string()
  .min(1)
  .optional()
  .describe('Space-separated scopes to request instead of everything the identity may hold');
export const identitySchema = z.union([
  z.strictObject({ client: z.enum(SERVICE_CLIENTS), scope: scopeOverride }),
  z.strictObject({ user: z.enum(USERS), scope: scopeOverride }),
]);
export type Identity = z.infer<typeof identitySchema>;

/** Checks applied to the value at a path (or to the result text). */
const matcherShape = {
  equals: z.unknown().optional(),
  oneOf: z.array(z.unknown()).min(1).optional().describe('equals one of these'),
  contains: z.unknown().optional().describe('substring of a string; element (or partial object) of an array; several with a list'),
  notContains: z.unknown().optional(),
  matches: z.string().optional().describe('regular expression a string must match'),
  length: z
    .union([z.number().int().min(0), z.strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })])
    .optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  exists: z.boolean().optional(),
};

export interface PathAssertion {
  path: string;
  equals?: unknown;
  oneOf?: unknown[];
  contains?: unknown;
  notContains?: unknown;
  matches?: string;
  length?: number | { min?: number | undefined; max?: number | undefined };
  min?: number;
  max?: number;
  exists?: boolean;
  every?: Assertion[];
  some?: Assertion[];
  none?: Assertion[];
}

export type Assertion =
  | { isError: boolean }
  | { errorCode: string }
  | { httpStatus: number }
  | { insufficientScope: string | boolean }
  | { text: { contains?: unknown; notContains?: unknown; matches?: string } }
  | PathAssertion
  | { anyOf: Assertion[][] };

export const assertionSchema: z.ZodType<Assertion> = z.lazy(() =>
  z.union([
    z.strictObject({ isError: z.boolean() }),
    z.strictObject({ errorCode: z.string().min(1) }),
    z.strictObject({ httpStatus: z.number().int().min(100).max(599) }),
    z.strictObject({ insufficientScope: z.union([z.string().min(1), z.boolean()]) }),
    z.strictObject({
      text: z.strictObject({ contains: matcherShape.contains, notContains: matcherShape.notContains, matches: matcherShape.matches }),
    }),
    z
      .strictObject({
        path: z.string().describe('dotted path into the result, e.g. traces[0].traceId; "" is the whole value'),
        ...matcherShape,
        every: z
          .array(assertionSchema)
          .min(1)
          .optional()
          .describe('assertions every element of the array satisfies (paths relative to the element)'),
        some: z.array(assertionSchema).min(1).optional(),
        none: z.array(assertionSchema).min(1).optional(),
      })
      .refine((value) => Object.keys(value).some((key) => key !== 'path'), {
        error: 'a path assertion needs at least one check (equals, contains, …)',
      }),
    z.strictObject({ anyOf: z.array(z.array(assertionSchema)).min(2).describe('passes when every assertion of one of the lists passes') }),
  ]),
);

const retrySchema = z.strictObject({
  until: z.array(assertionSchema).min(1),
  timeoutSeconds: z.number().positive().max(3600),
  intervalSeconds: z.number().positive().max(600).default(1),
});

const httpSchema = z.strictObject({
  method: z.string().min(1).default('tools/list').describe('JSON-RPC method to POST'),
  params: z.record(z.string(), z.unknown()).optional(),
  tokenFor: z.enum(SERVERS).optional().describe('obtain the token for this server (audience) instead of the target; omit with noToken'),
  noToken: z.boolean().optional(),
});

const stepShape = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'lowercase letters, digits and -' })
    .max(80),
  prompt: z.string().optional().describe('the prompt (key of `prompts`) this step answers'),
  server: z.enum(SERVERS),
  as: identitySchema.optional(),
  tool: z.string().min(1).optional(),
  arguments: z.record(z.string(), z.unknown()).default({}),
  listTools: z.literal(true).optional().describe('list the tools the identity sees instead of calling one'),
  http: httpSchema.optional().describe('a raw HTTP request (JSON-RPC POST) to inspect status and headers'),
  expect: z.array(assertionSchema).default([]),
  save: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string())
    .optional()
    .describe('variable name → path in the result'),
  retry: retrySchema.optional(),
};

export const stepSchema = z.strictObject(stepShape).superRefine((step, context) => {
  const kinds = [step.tool !== undefined, step.listTools === true, step.http !== undefined].filter(Boolean).length;
  if (kinds !== 1) context.addIssue({ code: 'custom', message: 'a step needs exactly one of tool, listTools, http', path: ['tool'] });
  if (step.http && step.http.noToken && step.http.tokenFor)
    context.addIssue({ code: 'custom', message: 'noToken and tokenFor exclude each other', path: ['http'] });
});
export type Step = z.infer<typeof stepSchema>;

export const scenarioSchema = z
  .strictObject({
    title: z.string().min(1),
    description: z.string().min(1),
    prompts: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), z.string().min(1))
      .refine((value) => Object.keys(value).length > 0, { error: 'at least one prompt' }),
    identity: identitySchema,
    /** Values the steps read as `${name}`, overridable per run (e.g. the namespace to play in). */
    variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.unknown()).default({}),
    /** Marks which backends the scenario needs: `observability` scenarios are worth repeating per backend, `dataPlane` ones need the demo data plane running. */
    needs: z.array(z.enum(['dataPlane', 'observability'])).default([]),
    setup: z.array(stepSchema).default([]),
    steps: z.array(stepSchema).min(1),
    measure: z
      .strictObject({ label: z.string().min(1), from: z.string(), to: z.string() })
      .optional()
      .describe('report the calls and result tokens of the steps from `from` to `to` (inclusive)'),
  })
  .superRefine((scenario, context) => {
    const names = new Set<string>();
    for (const [section, steps] of [
      ['setup', scenario.setup],
      ['steps', scenario.steps],
    ] as const) {
      steps.forEach((step, index) => {
        if (names.has(step.name))
          context.addIssue({ code: 'custom', message: `duplicate step name ${step.name}`, path: [section, index, 'name'] });
        names.add(step.name);
        if (step.prompt !== undefined && !(step.prompt in scenario.prompts)) {
          context.addIssue({
            code: 'custom',
            message: `unknown prompt ${step.prompt} (prompts: ${Object.keys(scenario.prompts).join(', ')})`,
            path: [section, index, 'prompt'],
          });
        }
      });
    }
    if (scenario.measure) {
      const stepNames = scenario.steps.map((step) => step.name);
      const from = stepNames.indexOf(scenario.measure.from);
      const to = stepNames.indexOf(scenario.measure.to);
      if (from < 0) context.addIssue({ code: 'custom', message: `no step ${scenario.measure.from}`, path: ['measure', 'from'] });
      if (to < 0) context.addIssue({ code: 'custom', message: `no step ${scenario.measure.to}`, path: ['measure', 'to'] });
      if (from >= 0 && to >= 0 && to < from)
        context.addIssue({ code: 'custom', message: 'measure.to comes before measure.from', path: ['measure', 'to'] });
    }
  });

export type Scenario = z.infer<typeof scenarioSchema> & { id: string; file: string };

export class ScenarioFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid scenario\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ScenarioFileError';
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '') ||
    '(root)'
  );
}

/** Issues of a union are reported by zod as one "invalid input": dig out the branch closest to matching. */
function describeIssues(error: z.ZodError): string[] {
  const lines: string[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        // The branch with the fewest issues is the one the author most likely meant.
        const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
        visit(best, path);
        continue;
      }
      lines.push(`${fieldPath(path)}: ${issue.message}`);
    }
  };
  visit(error.issues, []);
  return lines;
}

/** Parse and validate scenario text; `file` names it in errors. */
export function parseScenario(text: string, file: string): Scenario {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new ScenarioFileError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
  const parsed = scenarioSchema.safeParse(document);
  if (!parsed.success) throw new ScenarioFileError(file, describeIssues(parsed.error));
  return { ...parsed.data, id: basename(file).replace(/\.ya?ml$/, ''), file };
}

export function loadScenarioFile(file: string): Scenario {
  return parseScenario(readFileSync(file, 'utf8'), file);
}

/** Every `*.yaml` in a directory, sorted by name, or only the named ones (by id, in the order given). */
export function loadScenarios(directory: string, names: readonly string[] = []): Scenario[] {
  const files = readdirSync(directory)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
  const all = new Map(files.map((file) => [file.replace(/\.ya?ml$/, ''), join(directory, file)]));
  if (names.length === 0) return [...all.values()].map(loadScenarioFile);
  return names.map((name) => {
    const file = all.get(name);
    if (!file) throw new Error(`no scenario ${name} in ${directory} (have: ${[...all.keys()].join(', ')})`);
    return loadScenarioFile(file);
  });
}
