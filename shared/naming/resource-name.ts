import * as z from 'zod';

const DNS_1123_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * A Kubernetes object name (DNS-1123 label). Each failure names the rule it broke, so a caller can fix
 * the name without guessing.
 */
export const resourceName = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(63, { error: 'must be at most 63 characters (Kubernetes DNS-1123 label)' })
  .refine((value) => !/[A-Z]/.test(value), { error: 'must be lowercase (Kubernetes DNS-1123 label)' })
  .refine((value) => DNS_1123_LABEL.test(value) || /[A-Z]/.test(value), {
    error: "may contain only lowercase letters, digits and '-', and must start and end with a letter or digit (Kubernetes DNS-1123 label)",
  });
