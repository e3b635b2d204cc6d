import { graphql, type ResultOf } from '$lib/graphql/graphql';

export const MeQuery = graphql(`
  query Me {
    me {
      id
      name
      loginName
      extension
      email
      role
    }
  }
`);

export type SessionUser = NonNullable<ResultOf<typeof MeQuery>['me']>;
export type Role = SessionUser['role'];

export const SESSION_COOKIE = 'keyturn_session';

/** Where a person lands after signing in. */
export const homeOf = (role: Role) => (role === 'USER' ? '/profile' : '/organization/users');

/** Which roles may open the pages under a route id; the API enforces the same on every operation. */
const areas: [prefix: string, roles: readonly Role[]][] = [
  ['/(app)/organization', ['OFFICE_MANAGER', 'AUDITOR']],
  ['/(app)/audit', ['OFFICE_MANAGER', 'AUDITOR']],
  ['/(app)', ['OFFICE_MANAGER', 'AUDITOR', 'USER']],
];

/** `undefined` for public pages, otherwise the roles allowed. */
export const rolesFor = (routeId: string): readonly Role[] | undefined => areas.find(([prefix]) => routeId.startsWith(prefix))?.[1];

export interface NavItem {
  href: string;
  label: string;
}

export function navFor(role: Role): NavItem[] {
  const profile = { href: '/profile', label: 'Profile' };
  if (role === 'USER') return [profile];
  return [{ href: '/organization/users', label: 'Manage Organization' }, { href: '/audit', label: 'Audit' }, profile];
}

export const roleWords: Record<Role, string> = {
  OFFICE_MANAGER: 'Office manager',
  AUDITOR: 'Auditor',
  USER: 'User',
};
