import { describe, expect, it } from 'vitest';
import type { Actor } from '../actor.js';
import { ANONYMOUS, SYSTEM } from '../actor.js';
import { DeciderSpecification } from '../testing/decider.js';
import { DOMAIN_MESSAGE } from '../validation.js';
import type { OrganizationCommand, OrganizationEvent } from './organization.js';
import {
  decideOrganization,
  evolveOrganization,
  initialOrganizationState,
  organizationStream,
} from './organization.js';

const spec = DeciderSpecification.for({
  decide: decideOrganization,
  evolve: evolveOrganization,
  initialState: initialOrganizationState,
});

const register = (data: { name?: string; domain?: string } = {}, actor: Actor = SYSTEM): OrganizationCommand => ({
  type: 'RegisterOrganization',
  actor,
  data: { organizationId: 'org-acme', name: 'Acme Ltd', domain: 'acme', ...data },
});
const registered = (data: { name?: string; domain?: string } = {}): OrganizationEvent => ({
  type: 'OrganizationRegistered',
  data: { organizationId: 'org-acme', name: 'Acme Ltd', domain: 'acme', registeredBy: 'system', ...data },
});

describe('given no organization yet', () => {
  const given = spec.given([]);

  it('registers it for the system actor, with the trimmed name', () => {
    given.when(register({ name: ' Acme Ltd ' })).then([registered()]);
  });

  it.each(['acme', 'a1-b2', 'a', '0', 'x'.repeat(63)])(
    'accepts a domain that is one lower-case DNS label: %s',
    (domain) => {
      given.when(register({ domain })).then([registered({ domain })]);
    },
  );

  it.each([
    ['a capital letter', 'Acme'],
    ['a leading hyphen', '-acme'],
    ['a trailing hyphen', 'acme-'],
    ['an underscore', 'ac_me'],
    ['a dot (two labels)', 'a.b'],
    ['64 characters', 'x'.repeat(64)],
    ['nothing', ''],
    ['a non-ASCII letter', 'acmé'],
  ])('rejects a domain with %s', (_why, domain) => {
    const error = given.when(register({ domain })).thenThrows('BAD_USER_INPUT', ['domain']);
    expect(error.fields?.domain).toEqual([DOMAIN_MESSAGE]);
  });

  it.each(['', '   ', 'x'.repeat(101)])('requires a name of 1 to 100 characters (%#)', (name) => {
    given.when(register({ name })).thenThrows('BAD_USER_INPUT', ['name']);
  });

  it('reports the name and the domain at once', () => {
    given.when(register({ name: '', domain: 'Acme' })).thenThrows('BAD_USER_INPUT', ['name', 'domain']);
  });

  it.each<[string, Actor]>([
    [
      'an office manager',
      { kind: 'account', accountId: 'acc-mia', organizationId: 'org-acme', role: 'OFFICE_MANAGER' },
    ],
    ['an anonymous caller', ANONYMOUS],
  ])('is FORBIDDEN to %s: only the operator registers organizations', (_who, actor) => {
    given.when(register({}, actor)).thenThrows('FORBIDDEN');
  });
});

describe('given the organization registered', () => {
  it('answers CONFLICT to registering it again', () => {
    spec
      .given([registered()])
      .when(register({ name: 'Acme Again' }))
      .thenThrows('CONFLICT');
  });

  it('evolves to the registered organization in stream organization-<id>', () => {
    expect(evolveOrganization(initialOrganizationState(), registered())).toEqual({
      status: 'registered',
      id: 'org-acme',
      name: 'Acme Ltd',
      domain: 'acme',
    });
    expect(organizationStream('org-acme')).toBe('organization-org-acme');
  });
});
