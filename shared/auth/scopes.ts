/** The coarse OAuth scopes each server accepts. Fine-grained decisions are the policy's. */
export const SCOPES = {
  controlPlaneRead: 'controlplane:read',
  controlPlaneWrite: 'controlplane:write',
  observabilityRead: 'observability:read',
  observabilityWrite: 'observability:write',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** A broader scope implies the narrower ones (MCP authorization spec: honour scope hierarchies). */
const IMPLIED_SCOPES: Record<string, readonly string[]> = {
  [SCOPES.controlPlaneWrite]: [SCOPES.controlPlaneRead],
  [SCOPES.observabilityWrite]: [SCOPES.observabilityRead],
};

/** The token's scopes plus every scope they imply, so exact-match checks downstream respect the hierarchy. */
export function expandImpliedScopes(granted: readonly string[]): string[] {
  const expanded = new Set(granted);
  for (const scope of granted) for (const implied of IMPLIED_SCOPES[scope] ?? []) expanded.add(implied);
  return [...expanded];
}
