import { describe, expect, it } from 'vitest';
import type { Actor } from '../actor.js';
import { ANONYMOUS, SYSTEM, actorId } from '../actor.js';
import { DeciderSpecification } from '../testing/decider.js';
import type { AccountCommand } from './account.js';
import { decideAccount, evolveAccount, initialAccountState } from './account.js';
import type { AccountEvent, Role } from './events.js';

const spec = DeciderSpecification.for({
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
});

const ACME = 'org-acme';
const GLOBEX = 'org-globex';
const NOW = new Date('2025-03-01T09:00:00.000Z');
const IN_24H = new Date('2025-03-02T09:00:00.000Z');

const member = (accountId: string, role: Role, organizationId = ACME): Actor => ({
  kind: 'account',
  accountId,
  organizationId,
  role,
});
const manager = member('acc-mia', 'OFFICE_MANAGER');

const opened = (accountId: string, role: Role, openedBy = 'acc-mia'): AccountEvent => ({
  type: 'AccountOpened',
  data: {
    accountId,
    organizationId: ACME,
    name: 'Ann Lee',
    extension: '101',
    loginName: '101@acme',
    email: 'ann@acme.com',
    role,
    openedBy,
  },
});
const ann = opened('acc-ann', 'USER');
const secondEmail: AccountEvent = { type: 'SecondaryEmailAdded', data: { email: 'ann@home.example', by: 'acc-mia' } };

/** Who may act on Ann's account, and what each must hear when they may not. */
const mayManage: [string, Actor][] = [
  ['an office manager of the same organization', manager],
  ['the system actor', SYSTEM],
];
const forbidden: [string, Actor][] = [
  ['a user of the same organization', member('acc-bob', 'USER')],
  ['an auditor of the same organization', member('acc-aud', 'AUDITOR')],
];
const notFound: [string, Actor][] = [
  ['an office manager of another organization', member('acc-max', 'OFFICE_MANAGER', GLOBEX)],
  // Existence is not leaked to callers outside the organization, signed in or not.
  ['an anonymous caller', ANONYMOUS],
];

interface ManagerOnly {
  /** the one self-service exception: a user changes her own designated email */
  ownerMay?: true;
  given: AccountEvent[];
  when: (actor: Actor) => AccountCommand;
  then: (by: string) => AccountEvent[];
}

const managerOnly: Record<string, ManagerOnly> = {
  OpenAccount: {
    given: [],
    when: (actor) => ({
      type: 'OpenAccount',
      actor,
      data: {
        accountId: 'acc-ann',
        organizationId: ACME,
        name: 'Ann Lee',
        extension: '101',
        loginName: '101@acme',
        email: 'ann@acme.com',
        role: 'USER',
      },
    }),
    then: (by) => [opened('acc-ann', 'USER', by)],
  },
  SendWelcomeEmail: {
    given: [ann],
    when: (actor) => ({ type: 'SendWelcomeEmail', actor, now: NOW, data: { inviteId: 'inv-1', expiresAt: IN_24H } }),
    then: (by) => [
      {
        type: 'WelcomeEmailSent',
        data: { inviteId: 'inv-1', expiresAt: IN_24H.toISOString(), recipients: ['ann@acme.com'], sentBy: by },
      },
    ],
  },
  AddSecondaryEmail: {
    given: [ann],
    when: (actor) => ({ type: 'AddSecondaryEmail', actor, data: { email: 'ann@home.example', noticeId: 'n-1' } }),
    then: (by) => [{ type: 'SecondaryEmailAdded', data: { email: 'ann@home.example', by } }],
  },
  RemoveSecondaryEmail: {
    given: [ann, secondEmail],
    when: (actor) => ({ type: 'RemoveSecondaryEmail', actor, data: { noticeId: 'n-1' } }),
    then: (by) => [{ type: 'SecondaryEmailRemoved', data: { email: 'ann@home.example', by, noticeId: 'n-1' } }],
  },
  "ChangeDesignatedEmail of another user's account": {
    ownerMay: true,
    given: [ann],
    when: (actor) => ({
      type: 'ChangeDesignatedEmail',
      actor,
      data: { email: 'ann.lee@acme.com', noticeId: 'n-1', passwordConfirmed: true },
    }),
    then: (by) => [
      {
        type: 'DesignatedEmailChanged',
        data: { email: 'ann.lee@acme.com', previousEmail: 'ann@acme.com', by, noticeId: 'n-1' },
      },
    ],
  },
};

describe.each(Object.entries(managerOnly))('given Ann of Acme (or no account yet), %s', (_name, c) => {
  const given = spec.given(c.given);

  it.each(mayManage)('is allowed to %s', (_who, actor) => {
    given.when(c.when(actor)).then(c.then(actorId(actor)));
  });

  it.each(forbidden)('is FORBIDDEN to %s', (_who, actor) => {
    given.when(c.when(actor)).thenThrows('FORBIDDEN');
  });

  if (!c.ownerMay) {
    it('is FORBIDDEN to Ann herself, a user', () => {
      given.when(c.when(member('acc-ann', 'USER'))).thenThrows('FORBIDDEN');
    });
  }

  it.each(notFound)('answers NOT_FOUND to %s', (_who, actor) => {
    given.when(c.when(actor)).thenThrows('NOT_FOUND');
  });
});

describe('given Ann, a user of Acme, changing designated emails', () => {
  const change = (actor: Actor): AccountCommand => ({
    type: 'ChangeDesignatedEmail',
    actor,
    data: { email: 'ann.lee@acme.com', noticeId: 'n-1', passwordConfirmed: true },
  });
  const changed = (by: string): AccountEvent[] => [
    {
      type: 'DesignatedEmailChanged',
      data: { email: 'ann.lee@acme.com', previousEmail: 'ann@acme.com', by, noticeId: 'n-1' },
    },
  ];

  it('lets Ann change her own designated email', () => {
    spec
      .given([ann])
      .when(change(member('acc-ann', 'USER')))
      .then(changed('acc-ann'));
  });

  it("does not let Ann change another user's designated email", () => {
    const bob = opened('acc-bob', 'USER');
    spec
      .given([bob])
      .when(change(member('acc-ann', 'USER')))
      .thenThrows('FORBIDDEN');
  });

  it('answers NOT_FOUND to anyone of another organization, whatever their role', () => {
    spec
      .given([ann])
      .when(change(member('acc-max', 'OFFICE_MANAGER', GLOBEX)))
      .thenThrows('NOT_FOUND');
    spec
      .given([ann])
      .when(change(member('acc-zed', 'USER', GLOBEX)))
      .thenThrows('NOT_FOUND');
  });
});

describe('given Ada, an auditor of Acme', () => {
  const ada = opened('acc-ada', 'AUDITOR');
  const adaActs = member('acc-ada', 'AUDITOR');

  it("is FORBIDDEN to change another user's designated email", () => {
    spec
      .given([ann])
      .when({ type: 'ChangeDesignatedEmail', actor: adaActs, data: { email: 'ann.lee@acme.com', noticeId: 'n-1' } })
      .thenThrows('FORBIDDEN');
  });

  it('is FORBIDDEN to manage the second email of her own account', () => {
    spec
      .given([ada])
      .when({ type: 'AddSecondaryEmail', actor: adaActs, data: { email: 'ada@home.example', noticeId: 'n-1' } })
      .thenThrows('FORBIDDEN');
  });

  // Every signed-in person keeps their own designated email current (the Profile page), auditors too.
  it('may change her own designated email once her current password was checked', () => {
    spec
      .given([ada])
      .when({
        type: 'ChangeDesignatedEmail',
        actor: adaActs,
        data: { email: 'ada.lee@acme.com', noticeId: 'n-1', passwordConfirmed: true },
      })
      .then([
        {
          type: 'DesignatedEmailChanged',
          data: {
            email: 'ada.lee@acme.com',
            previousEmail: expect.any(String),
            by: expect.any(String),
            noticeId: 'n-1',
          },
        },
      ]);
  });

  // A stolen session alone must not move the account's recovery address.
  it('is BAD_USER_INPUT naming currentPassword to change her own designated email without it', () => {
    spec
      .given([ada])
      .when({ type: 'ChangeDesignatedEmail', actor: adaActs, data: { email: 'ada.lee@acme.com', noticeId: 'n-1' } })
      .thenThrows('BAD_USER_INPUT', ['currentPassword']);
  });
});
