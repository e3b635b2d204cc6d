import { describe, expect, it } from 'vitest';
import type { Actor } from '../actor.js';
import { DeciderSpecification } from '../testing/decider.js';
import { EMAIL_MESSAGE, EXTENSION_MESSAGE } from '../validation.js';
import type { AccountCommand } from './account.js';
import { decideAccount, evolveAccount, initialAccountState } from './account.js';
import type { AccountEvent } from './events.js';

const spec = DeciderSpecification.for({
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
});

const manager: Actor = { kind: 'account', accountId: 'acc-mia', organizationId: 'org-acme', role: 'OFFICE_MANAGER' };
const valid = {
  accountId: 'acc-ann',
  organizationId: 'org-acme',
  name: 'Ann Lee',
  extension: '101',
  loginName: '101@acme',
  email: 'ann@acme.com',
  role: 'USER' as const,
};
const open = (data: Partial<typeof valid> = {}): AccountCommand => ({
  type: 'OpenAccount',
  actor: manager,
  data: { ...valid, ...data },
});
const opened = (data: Partial<typeof valid> = {}): AccountEvent => ({
  type: 'AccountOpened',
  data: { ...valid, ...data, openedBy: 'acc-mia' },
});

describe('given no account yet', () => {
  const given = spec.given([]);

  it('opens the account with every field, the trimmed name and who opened it', () => {
    given.when(open({ name: '  Ann Lee  ' })).then([opened({ name: 'Ann Lee' })]);
  });

  it.each(['A', 'x'.repeat(100)])('accepts a name of 1 to 100 characters (%#)', (name) => {
    given.when(open({ name })).then([opened({ name })]);
  });

  it.each(['', '   ', 'x'.repeat(101)])('rejects a name that is empty, blank or over 100 characters (%#)', (name) => {
    const error = given.when(open({ name })).thenThrows('BAD_USER_INPUT', ['name']);
    expect(error.fields?.name).toEqual(['Enter a name of 1 to 100 characters.']);
  });

  it.each(['10', '1234567890'])('accepts an extension of 2 to 10 ASCII digits: %s', (extension) => {
    given.when(open({ extension })).then([opened({ extension })]);
  });

  it.each([
    ['one digit', '1'],
    ['eleven digits', '12345678901'],
    ['a letter', '12a'],
    ['Arabic-Indic digits', '١٢٣'],
    ['full-width digits', '１２３'],
    ['a space', ' 101'],
    ['nothing', ''],
  ])('rejects an extension with %s', (_why, extension) => {
    const error = given.when(open({ extension })).thenThrows('BAD_USER_INPUT', ['extension']);
    expect(error.fields?.extension).toEqual([EXTENSION_MESSAGE]);
  });

  it.each(['ann@acme', 'ann.acme.com', 'ann@@acme.com', 'ann lee@acme.com', 'ann@acme..com', ''])(
    'rejects an email that is not shaped like name@example.com: "%s"',
    (email) => {
      const error = given.when(open({ email })).thenThrows('BAD_USER_INPUT', ['email']);
      expect(error.fields?.email).toEqual([EMAIL_MESSAGE]);
    },
  );

  it('reports every failing field at once', () => {
    given
      .when(open({ name: ' ', extension: '1', email: 'nope' }))
      .thenThrows('BAD_USER_INPUT', ['name', 'extension', 'email']);
  });
});

describe('given an account opened already', () => {
  it('answers CONFLICT to opening it again, even with valid data', () => {
    spec
      .given([opened()])
      .when(open({ name: 'Someone Else' }))
      .thenThrows('CONFLICT');
  });
});
