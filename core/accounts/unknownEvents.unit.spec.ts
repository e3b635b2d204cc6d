import { describe, expect, it } from 'vitest';
import { evolveAccount, initialAccountState, type AccountState } from './account.js';
import type { AccountEvent } from './events.js';
import { evolveOrganization } from '../organizations/organization.js';

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: {
    accountId: 'a',
    organizationId: 'o',
    name: 'Ann',
    extension: '101',
    loginName: '101@acme',
    email: 'a@x.example',
    role: 'USER',
    openedBy: 'system',
  },
};
// As a newer version might have stored it.
const fromTheFuture = { type: 'AccountTeleported', data: { to: 'Mars' } } as unknown as AccountEvent;

describe('given a stream with an event type this version does not know', () => {
  it('folds the account state past it, unchanged', () => {
    const before: AccountState = evolveAccount(initialAccountState(), opened);
    expect(evolveAccount(before, fromTheFuture)).toBe(before);
  });

  it('folds an organization past it, unchanged', () => {
    const registered = evolveOrganization(
      { status: 'absent' },
      {
        type: 'OrganizationRegistered',
        data: { organizationId: 'o', name: 'Acme', domain: 'acme', registeredBy: 'system' },
      },
    );
    expect(evolveOrganization(registered, fromTheFuture as never)).toBe(registered);
  });
});
