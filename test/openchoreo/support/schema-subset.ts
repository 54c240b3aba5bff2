import type { JsonSchema } from './reference-data.js';

/** One way our schema accepts something the CRD would not, or leaves out something the CRD requires. */
export interface Mismatch {
  path: string;
  problem: string;
}

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

/** Regex sources that differ only in spelling: `\/` for `/`, and the order inside a character class. */
export function normalisePattern(pattern: string): string {
  return pattern.replace(/\\\//g, '/').replace(/\[([^\]\\[]*)\]/g, (_match, body: string) => {
    const tokens: string[] = body.match(/.-.|./g) ?? [];
    const dash = tokens.includes('-') ? '-' : '';
    return `[${dash}${tokens
      .filter((token) => token !== '-')
      .sort()
      .join('')}]`;
  });
}

function isPreserving(crd: JsonSchema): boolean {
  return crd[PRESERVE] === true;
}

function typesCompatible(ours: unknown, crd: unknown): boolean {
  return ours === crd || (ours === 'integer' && crd === 'number');
}

function checkScalars(ours: JsonSchema, crd: JsonSchema, path: string, out: Mismatch[]): void {
  const crdEnum = crd.enum as unknown[] | undefined;
  const ourValues = ours.const !== undefined ? [ours.const] : (ours.enum as unknown[] | undefined);
  if (crdEnum && !(ourValues && ourValues.every((value) => crdEnum.includes(value)))) {
    out.push({ path, problem: `CRD allows only ${JSON.stringify(crdEnum)}, ours allows ${JSON.stringify(ourValues ?? 'any value')}` });
  }
  if (typeof crd.pattern === 'string') {
    const crdPattern = new RegExp(crd.pattern);
    const samePattern = typeof ours.pattern === 'string' && normalisePattern(ours.pattern) === normalisePattern(crd.pattern);
    const valuesMatch = ourValues?.every((value) => typeof value === 'string' && crdPattern.test(value));
    if (!samePattern && !valuesMatch) out.push({ path, problem: `CRD pattern ${crd.pattern}, ours ${String(ours.pattern ?? 'none')}` });
  }
  if (typeof crd.format === 'string' && ['date-time', 'uri'].includes(crd.format) && ours.format !== crd.format) {
    out.push({ path, problem: `CRD format ${crd.format}, ours ${String(ours.format ?? 'none')}` });
  }
  for (const keyword of ['minLength', 'minimum', 'minItems']) {
    if (typeof crd[keyword] === 'number' && !(typeof ours[keyword] === 'number' && (ours[keyword] as number) >= (crd[keyword] as number))) {
      out.push({ path, problem: `CRD ${keyword} ${String(crd[keyword])}, ours ${String(ours[keyword] ?? 'none')}` });
    }
  }
  for (const keyword of ['maxLength', 'maximum', 'maxItems', 'maxProperties']) {
    if (typeof crd[keyword] === 'number' && !(typeof ours[keyword] === 'number' && (ours[keyword] as number) <= (crd[keyword] as number))) {
      out.push({ path, problem: `CRD ${keyword} ${String(crd[keyword])}, ours ${String(ours[keyword] ?? 'none')}` });
    }
  }
}

function checkObject(ours: JsonSchema, crd: JsonSchema, path: string, out: Mismatch[]): void {
  const ourProperties = ours.properties ?? {};
  const crdProperties = crd.properties ?? {};
  const ourRequired = new Set(ours.required ?? []);
  for (const name of crd.required ?? []) {
    if (!ourRequired.has(name)) out.push({ path: `${path}.${name}`, problem: 'required by the CRD, optional in ours' });
  }
  for (const [name, child] of Object.entries(ourProperties)) {
    const crdChild = crdProperties[name] ?? (typeof crd.additionalProperties === 'object' ? crd.additionalProperties : undefined);
    if (crdChild) compare(child, crdChild, `${path}.${name}`, out);
    else if (!isPreserving(crd)) out.push({ path: `${path}.${name}`, problem: 'not in the CRD' });
  }
  if (isPreserving(crd)) return;
  if (typeof crd.additionalProperties === 'object') {
    if (typeof ours.additionalProperties === 'object') compare(ours.additionalProperties, crd.additionalProperties, `${path}.*`, out);
    else if (ours.additionalProperties !== false) out.push({ path: `${path}.*`, problem: 'ours accepts map values of any shape' });
  } else if (ours.additionalProperties !== false) {
    out.push({ path, problem: 'ours accepts fields the CRD does not declare (not a strict object)' });
  }
}

/** Walk both trees: everything ours accepts must be accepted by the CRD at the same path. */
export function compare(ours: JsonSchema, crd: JsonSchema, path: string, out: Mismatch[]): void {
  const hasStructure = crd.properties !== undefined || crd.items !== undefined || typeof crd.additionalProperties === 'object';
  if (crd.type === undefined && isPreserving(crd) && !hasStructure) return;
  if (!typesCompatible(ours.type, crd.type)) {
    out.push({ path, problem: `CRD type ${String(crd.type)}, ours ${String(ours.type ?? 'any')}` });
    return;
  }
  checkScalars(ours, crd, path, out);
  if (crd.type === 'array') {
    if (ours.items && crd.items) compare(ours.items, crd.items, `${path}[]`, out);
    return;
  }
  if (crd.type === 'object') {
    if (isPreserving(crd) && !hasStructure) return;
    checkObject(ours, crd, path, out);
  }
}

/**
 * Our JSON Schema (output form: a field we default is present, hence required) against a CRD's
 * `openAPIV3Schema`. `metadata` is the API server's ObjectMeta, which the CRD leaves untyped.
 */
export function subsetMismatches(ours: JsonSchema, crd: JsonSchema): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [name, child] of Object.entries(ours.properties ?? {})) {
    if (name === 'metadata') continue;
    const crdChild = crd.properties?.[name];
    if (!crdChild) out.push({ path: name, problem: 'not in the CRD' });
    else compare(child, crdChild, name, out);
  }
  for (const name of crd.required ?? []) {
    if (!(ours.required ?? []).includes(name)) out.push({ path: name, problem: 'required by the CRD, optional in ours' });
  }
  return out;
}

/** CRD properties ours leaves out: a real object using one would be refused by our strict schemas. */
export function unmodelledProperties(ours: JsonSchema, crd: JsonSchema, path = ''): string[] {
  if (isPreserving(crd) && !crd.properties) return [];
  const missing: string[] = [];
  for (const [name, crdChild] of Object.entries(crd.properties ?? {})) {
    const where = path ? `${path}.${name}` : name;
    const ourChild = ours.properties?.[name];
    if (!ourChild) missing.push(where);
    else missing.push(...unmodelledProperties(ourChild, crdChild, where));
  }
  if (crd.items && ours.items) missing.push(...unmodelledProperties(ours.items, crd.items, `${path}[]`));
  if (typeof crd.additionalProperties === 'object' && typeof ours.additionalProperties === 'object') {
    missing.push(...unmodelledProperties(ours.additionalProperties, crd.additionalProperties, `${path}.*`));
  }
  return missing;
}

/** The CRD node at a value path (`['spec', 'owner', 'projectName']`), through maps and arrays. */
export function crdNodeAt(crd: JsonSchema, path: readonly (string | number)[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = crd;
  for (const segment of path) {
    if (!node) return undefined;
    if (typeof segment === 'number') node = node.items;
    else node = node.properties?.[segment] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return node;
}

/** Paths in a value the CRD does not declare (outside preserved content and metadata). */
export function undeclaredValuePaths(value: unknown, crd: JsonSchema, path: (string | number)[] = []): string[] {
  if (path.length === 1 && path[0] === 'metadata') return [];
  if (isPreserving(crd) && !crd.properties) return [];
  if (Array.isArray(value))
    return crd.items ? value.flatMap((item, index) => undeclaredValuePaths(item, crd.items!, [...path, index])) : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const node = crd.properties?.[key] ?? (typeof crd.additionalProperties === 'object' ? crd.additionalProperties : undefined);
    if (node) return undeclaredValuePaths(child, node, [...path, key]);
    return isPreserving(crd) ? [] : [[...path, key].join('.')];
  });
}

/** Paths present in `after` but not in `before`. */
export function addedPaths(before: unknown, after: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (before === undefined) return [path];
  if (Array.isArray(after) && Array.isArray(before))
    return after.flatMap((item, index) => addedPaths(before[index], item, [...path, index]));
  if (after === null || typeof after !== 'object' || before === null || typeof before !== 'object') return [];
  return Object.entries(after).flatMap(([key, child]) => addedPaths((before as Record<string, unknown>)[key], child, [...path, key]));
}
