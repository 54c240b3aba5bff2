import * as z from 'zod';

const SECRET_KEY = /pass(word|phrase)?|secret|token|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie/i;
const JWT = /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}\b/g;
const BEARER = /\bBearer\s+[\w.~+/-]+=*/gi;
const URL_PASSWORD = /(\b[a-z][\w+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;
const REDACTED = '[redacted]';

/** Input schemas whose values are secret whatever their key is called (environment variable values, …). */
const secretValues = z.registry();

/**
 * Mark a tool input field as secret-bearing: its value never reaches a log line or the audit trail, only
 * `[redacted]` does. Use it for any field that can carry a credential under an innocent name, e.g. the
 * `value` of `{key: "DB_PASSWORD", value: …}`.
 */
export function secretValue<Schema extends z.ZodType>(schema: Schema): Schema {
  secretValues.add(schema);
  return schema;
}

/**
 * A copy of tool arguments safe to log and audit: values of fields the tool's input schema marks with
 * `secretValue`, values under secret-looking keys, and the `value` of any `{key|name, value}` pair (the
 * environment-variable shape, even where no schema says so) are replaced; tokens or passwords embedded
 * in strings are masked. Depth and size are bounded.
 */
export function redactArguments(value: unknown, schema?: z.ZodType, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  const shape = unwrap(schema);
  if (shape.secret) return REDACTED;
  if (typeof value === 'string') return redactText(value.length > 2_000 ? `${value.slice(0, 2_000)}…` : value);
  if (Array.isArray(value))
    return value.slice(0, 100).map((item) => redactArguments(item, childSchema(shape.schema, 'element'), depth + 1));
  if (value && typeof value === 'object') {
    const pair = isNameValuePair(value);
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        SECRET_KEY.test(key) || (pair && key === 'value') ? REDACTED : redactArguments(item, childSchema(shape.schema, key), depth + 1),
      ]),
    );
  }
  return value;
}

export function redactText(text: string): string {
  return text.replace(JWT, '[redacted-jwt]').replace(BEARER, 'Bearer [redacted]').replace(URL_PASSWORD, '$1[redacted]@');
}

type SchemaDefinition = { type: string; innerType?: z.ZodType; in?: z.ZodType; getter?: () => z.ZodType };

/** The schema under optional/default/nullable/pipe/lazy wrappers, and whether any layer is marked secret. */
function unwrap(schema: z.ZodType | undefined): { schema?: z.ZodType; secret: boolean } {
  let current = schema;
  for (let layers = 0; current && layers < 10; layers++) {
    if (secretValues.has(current)) return { secret: true };
    const definition = current._zod.def as SchemaDefinition;
    const inner = definition.innerType ?? definition.in ?? (definition.type === 'lazy' ? definition.getter?.() : undefined);
    if (!inner) break;
    current = inner;
  }
  return { ...(current ? { schema: current } : {}), secret: false };
}

/** The schema of an object's field, an array's elements or a record's values; undefined when the value does not fit. */
function childSchema(schema: z.ZodType | undefined, key: string): z.ZodType | undefined {
  const definition = schema?._zod.def as
    { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; valueType?: z.ZodType; catchall?: z.ZodType } | undefined;
  if (definition?.type === 'object') return definition.shape?.[key] ?? definition.catchall;
  if (definition?.type === 'array') return key === 'element' ? definition.element : undefined;
  if (definition?.type === 'record') return definition.valueType;
  return undefined;
}

function isNameValuePair(value: object): boolean {
  const keys = Object.keys(value);
  return keys.includes('value') && (keys.includes('key') || keys.includes('name'));
}
