import * as z from 'zod';

/** A configuration value that failed validation; the message names the variable so an operator can fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse `env` against a schema whose keys are variable names; any failure names every offending variable. */
export function parseEnv<Shape extends z.ZodRawShape>(shape: Shape, env: NodeJS.ProcessEnv): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
}

/** `true`/`false`/`1`/`0`/`yes`/`no`, case-insensitive; anything else is refused rather than guessed. */
export const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'TRUE', 'FALSE', 'YES', 'NO'])
  .transform((value) => ['true', '1', 'yes'].includes(value.toLowerCase()));

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

export const positiveInt = z.coerce.number().int().positive();
