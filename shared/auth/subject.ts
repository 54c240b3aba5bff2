/** Who is calling: a person (user token) or a service account (client-credentials token). */
export type SubjectType = 'user' | 'service';

export interface Subject {
  type: SubjectType;
  /** User: the token's `sub` (the seeded IdP uses the user name). Service: the client id. */
  id: string;
  /** Display name when the token carries one (`preferred_username`, `name`). */
  name?: string;
  /** Groups from the configured groups claim. Always empty for services. */
  groups: string[];
  /** The OAuth client the token was issued to (the assistant or automation acting). */
  clientId?: string;
}

/**
 * The entitlement strings a subject is matched by in the policy, all evaluated in one decision:
 * `user:<id>` or `service:<clientId>`, one `group:<name>` per group, and `authenticated`.
 */
export function entitlementsOf(subject: Subject): string[] {
  const own = subject.type === 'user' ? `user:${subject.id}` : `service:${subject.id}`;
  return [own, ...subject.groups.map((group) => `group:${group}`), 'authenticated'];
}

export interface SubjectMappingOptions {
  /** The claim that holds a person's groups (`groups` by default; Keycloak group paths lose their leading `/`). */
  groupsClaim: string;
}

/**
 * Map verified token claims to a subject. A client-credentials token is recognised by `sub` equal to the
 * client id (the embedded provider and most IdPs) or Keycloak's `service-account-` user name.
 */
export function subjectFromClaims(claims: Record<string, unknown>, options: SubjectMappingOptions): Subject {
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  const clientId = firstString(claims.client_id, claims.azp);
  const userName = firstString(claims.preferred_username, claims.name);
  const isService = (sub !== undefined && sub === clientId) || (userName?.startsWith('service-account-') ?? false);
  if (isService && clientId !== undefined) return { type: 'service', id: clientId, groups: [], clientId };
  if (sub === undefined) throw new TypeError('token has no subject');
  const rawGroups = claims[options.groupsClaim];
  const groups = Array.isArray(rawGroups)
    ? rawGroups.filter((group): group is string => typeof group === 'string').map((group) => group.replace(/^\//, ''))
    : [];
  return { type: 'user', id: sub, groups, ...(userName ? { name: userName } : {}), ...(clientId ? { clientId } : {}) };
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((value): value is string => typeof value === 'string' && value.length > 0);
}
