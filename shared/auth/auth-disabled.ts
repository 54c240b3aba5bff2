import type { AuthInfo } from '@modelcontextprotocol/server';
import { BlockList, isIP } from 'node:net';
import { expandImpliedScopes } from './scopes.js';
import type { Subject } from './subject.js';
import type { VerifiedCaller } from './verify-token.js';

/**
 * Development switch `PLANE_AUTH_DISABLED=true` / `--auth-disabled`: no bearer token is needed, and every
 * request acts as this fixed subject. It is a person in the group `platform-admins`, so the shared policy's
 * `platform-admins` binding (role `admin`) decides what it may do: the tools still run through the same
 * pipeline (policy decision, audit), and an edit to the policy (e.g. a deny binding for
 * `user:local-developer`) restricts it like anyone else. Its id makes every audit event it causes
 * unmistakable. Allowed only on a loopback bind address.
 */
export const LOCAL_SUBJECT: Readonly<Subject> = Object.freeze({
  type: 'user',
  id: 'local-developer',
  name: 'local developer (authentication disabled)',
  groups: ['platform-admins'],
  clientId: 'plane-mcp-auth-disabled',
});

export const AUTH_DISABLED_VARIABLE = 'PLANE_AUTH_DISABLED';

export const AUTH_DISABLED_WARNING =
  `AUTHENTICATION IS DISABLED (${AUTH_DISABLED_VARIABLE}): no bearer token is required and every request acts as ` +
  `user:${LOCAL_SUBJECT.id} (group ${LOCAL_SUBJECT.groups.join(', ')}). Development and conformance testing only; loopback bind enforced.`;

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1 (in any spelling, bracketed, or IPv4-mapped) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  const family = isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** The error an auth-disabled start on a non-loopback address fails with (it names the variable). */
export function authDisabledBindError(bindHost: string): string {
  return (
    `${AUTH_DISABLED_VARIABLE}=true (or --auth-disabled) requires a loopback bind address (127.0.0.0/8, ::1, localhost), ` +
    `but PLANE_BIND_HOST is "${bindHost}": refusing to serve unauthenticated requests beyond this machine`
  );
}

/** What the bearer gate would have put on the request, for the local subject: every scope the server supports. */
export function localAuthInfo(scopesSupported: readonly string[]): AuthInfo {
  const caller: VerifiedCaller = { subject: { ...LOCAL_SUBJECT, groups: [...LOCAL_SUBJECT.groups] } };
  return {
    token: '',
    clientId: LOCAL_SUBJECT.clientId ?? LOCAL_SUBJECT.id,
    scopes: expandImpliedScopes(scopesSupported),
    extra: { caller, authDisabled: true },
  };
}
