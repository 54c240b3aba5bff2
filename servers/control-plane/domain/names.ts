import * as z from 'zod';

export { resourceName } from '../../../shared/naming/resource-name.js';

/** `deployment/service`: a workload type and a type name. */
export const componentTypeRef = z.string().regex(/^(deployment|statefulset|cronjob|job|proxy)\/[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, {
  error: 'must be <workloadType>/<name>, workloadType one of deployment, statefulset, cronjob, job, proxy (e.g. deployment/service)',
});

/** The two halves of a `componentTypeRef` (already validated): `deployment/service` → deployment, service. */
export function splitComponentTypeRef(ref: string): { workloadType: string; typeName: string } {
  const [workloadType = '', typeName = ''] = ref.split('/');
  return { workloadType, typeName };
}

/** Kubernetes CPU quantity: `100m`, `0.5`, `2`. */
export const cpuQuantity = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, { error: 'must be a CPU quantity such as 100m, 0.5 or 2' });
/** Kubernetes memory quantity: `256Mi`, `1Gi`, `512M`. */
export const memoryQuantity = z
  .string()
  .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/, { error: 'must be a memory quantity such as 256Mi or 1Gi' });

/** An environment variable name (C identifier). */
export const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be a valid environment variable name' });

/** CPU in millicores, for comparing quantities. */
export function cpuMillicores(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

const MEMORY_FACTORS: Record<string, number> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Memory in bytes, for comparing quantities. */
export function memoryBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(quantity);
  if (!match) return Number.NaN;
  return Number(match[1]) * (MEMORY_FACTORS[match[2] ?? ''] ?? Number.NaN);
}
