import { createHash, timingSafeEqual } from 'node:crypto';
import type { Account, FindAccount } from 'oidc-provider';
import { SEEDED_USERS, type SeededUser } from './seed.js';

const usersByName = new Map(SEEDED_USERS.map((user) => [user.name, user]));

/** The claims a person's tokens carry beyond the standard ones: the user name and the groups. */
export function userClaims(user: SeededUser): { preferred_username: string; groups: string[] } {
  return { preferred_username: user.name, groups: [...user.groups] };
}

export function findUser(name: string): SeededUser | undefined {
  return usersByName.get(name);
}

/**
 * Check a sign-in. Dev mode: the password is the user name. An unknown user costs the same comparison
 * as a wrong password and gets the same answer, so the login page reveals nothing about who exists.
 */
export function authenticate(userName: string, password: string): SeededUser | undefined {
  const user = usersByName.get(userName);
  const expected = user?.name ?? 'no such user: compare anyway';
  const matches = timingSafeEqual(digest(password), digest(expected));
  return matches ? user : undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** oidc-provider's account lookup: only seeded users exist. */
export const findAccount: FindAccount = (_ctx, sub) => {
  const user = usersByName.get(sub);
  return user ? toAccount(user) : undefined;
};

function toAccount(user: SeededUser): Account {
  return {
    accountId: user.name,
    claims: () => ({ sub: user.name, ...userClaims(user) }),
  };
}
