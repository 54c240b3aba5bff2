import * as z from 'zod';

const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 timestamp with an offset. Checked by parsing rather than by zod's ISO pattern, whose
 * several-hundred-character regex would otherwise be sent in every tool listing.
 */
export function timestampArgument(description: string) {
  return z
    .string()
    .max(40)
    .refine((value) => RFC_3339.test(value) && !Number.isNaN(Date.parse(value)), {
      error: 'must be an RFC 3339 time such as 2026-11-21T10:00:00Z',
    })
    .meta({ format: 'date-time', description });
}
