import { describe, expect, it } from 'vitest';
import { evolveAccount, initialAccountState, type AccountCommand } from './account.js';
import type { AccountEvent } from './events.js';
import {
  NOW,
  ann,
  annDeactivated,
  annOpened as opened,
  annSetUp,
  annWelcomed,
  mia,
  miaOpened,
  miaSetUp,
  olaOfGlobex,
  accountSpec as spec,
} from './testing/ann.js';

const update = (
  data: { name?: string; role?: 'USER' | 'OFFICE_MANAGER' | 'AUDITOR' },
  otherActiveManagers = 1,
  actor = mia,
): AccountCommand => ({
  type: 'UpdateUser',
  actor,
  data: { ...data, otherActiveManagers },
});
const deactivate = (otherActiveManagers = 1, actor = mia, reason?: string): AccountCommand => ({
  type: 'DeactivateAccount',
  actor,
  data: { otherActiveManagers, reason },
});
const reactivate: AccountCommand = { type: 'ReactivateAccount', actor: mia, data: {} };
const changeExtension = (extension: string, actor = mia): AccountCommand => ({
  type: 'ChangeExtension',
  actor,
  data: { extension, loginName: `${extension}@acme`, noticeId: 'n-1' },
});
const erase = (confirmName: string): AccountCommand => ({ type: 'EraseAccount', actor: mia, data: { confirmName } });
const fold = (events: AccountEvent[]) => events.reduce(evolveAccount, initialAccountState());

describe('given Ann, an active user', () => {
  const given = [opened, annWelcomed, annSetUp];

  it('renames her, trimmed, with who did it', () => {
    spec
      .given(given)
      .when(update({ name: '  Ann Park ' }))
      .then([{ type: 'AccountRenamed', data: { name: 'Ann Park', previousName: 'Ann Lee', by: 'acc-mia' } }]);
  });

  it('records nothing when the name and role are what she has', () => {
    spec
      .given(given)
      .when(update({ name: 'Ann Lee', role: 'USER' }))
      .thenNothingHappened();
  });

  it('refuses an empty name with a field error', () => {
    spec
      .given(given)
      .when(update({ name: '   ' }))
      .thenThrows('BAD_USER_INPUT', ['name']);
  });

  it('changes her role', () => {
    spec
      .given(given)
      .when(update({ role: 'AUDITOR' }))
      .then([{ type: 'RoleChanged', data: { role: 'AUDITOR', previousRole: 'USER', by: 'acc-mia' } }]);
  });

  it('lets only an office manager of her organization edit her', () => {
    spec
      .given(given)
      .when(update({ name: 'X' }, 1, ann))
      .thenThrows('FORBIDDEN');
    spec
      .given(given)
      .when(update({ name: 'X' }, 1, olaOfGlobex))
      .thenThrows('NOT_FOUND');
  });

  it('moves her to another extension and login name, telling both her addresses', () => {
    spec
      .given(given)
      .when(changeExtension('141'))
      .then([
        {
          type: 'ExtensionChanged',
          data: {
            from: '101',
            to: '141',
            loginName: '141@acme',
            previousLoginName: '101@acme',
            by: 'acc-mia',
            noticeId: 'n-1',
            recipients: ['ann@acme.com'],
          },
        },
      ]);
  });

  it('refuses an extension that breaks the rules, and ignores the one she has', () => {
    spec.given(given).when(changeExtension('1x')).thenThrows('BAD_USER_INPUT', ['extension']);
    spec.given(given).when(changeExtension('101')).thenNothingHappened();
  });

  it('has the new extension and login name after the move', () => {
    const moved: AccountEvent = {
      type: 'ExtensionChanged',
      data: {
        from: '101',
        to: '141',
        loginName: '141@acme',
        previousLoginName: '101@acme',
        by: 'acc-mia',
        noticeId: 'n-1',
        recipients: [],
      },
    };
    expect(fold([...given, moved])).toMatchObject({ extension: '141', loginName: '141@acme' });
  });

  it('deactivates her, ending her sessions', () => {
    spec
      .given(given)
      .when(deactivate(1, mia, '  left the company '))
      .then([{ type: 'AccountDeactivated', data: { by: 'acc-mia', reason: 'left the company' } }]);
    expect(fold([...given, annDeactivated])).toMatchObject({ deactivated: true, credentialVersion: 1 });
  });

  it('refuses a reason longer than 500 characters', () => {
    spec
      .given(given)
      .when(deactivate(1, mia, 'x'.repeat(501)))
      .thenThrows('BAD_USER_INPUT', ['reason']);
  });

  it('does not let her deactivate herself, even as a manager', () => {
    const annAsManager = { ...ann, role: 'OFFICE_MANAGER' as const };
    spec.given(given).when(deactivate(1, annAsManager)).thenThrows('CONFLICT');
  });

  it('refuses to erase her while she is active', () => {
    spec.given(given).when(erase('Ann Lee')).thenThrows('CONFLICT');
  });

  it('reactivating an active account records nothing', () => {
    spec.given(given).when(reactivate).thenNothingHappened();
  });
});

describe('given Ann, never invited', () => {
  it('moves her without a notice: the welcome email will name her login name', () => {
    spec
      .given([opened])
      .when(changeExtension('141'))
      .then([
        {
          type: 'ExtensionChanged',
          data: {
            from: '101',
            to: '141',
            loginName: '141@acme',
            previousLoginName: '101@acme',
            by: 'acc-mia',
            recipients: ['ann@acme.com'],
          },
        },
      ]);
  });
});

describe('given Mia, the only active office manager', () => {
  const given = [miaOpened, miaSetUp];
  const asOther = { ...mia, accountId: 'acc-other' };

  it('cannot be demoted: CONFLICT saying why', () => {
    const error = spec
      .given(given)
      .when(update({ role: 'USER' }, 0, asOther))
      .thenThrows('CONFLICT');
    expect(error.message).toMatch(/last active office manager/);
  });

  it('cannot be deactivated', () => {
    spec.given(given).when(deactivate(0, asOther)).thenThrows('CONFLICT');
  });

  it('can be demoted once another office manager is active', () => {
    spec
      .given(given)
      .when(update({ role: 'USER' }, 1, asOther))
      .then([{ type: 'RoleChanged', data: { role: 'USER', previousRole: 'OFFICE_MANAGER', by: 'acc-other' } }]);
  });

  it('can still be renamed', () => {
    spec
      .given(given)
      .when(update({ name: 'Mia Park' }, 0, asOther))
      .then([{ type: 'AccountRenamed', data: { name: 'Mia Park', previousName: 'Mia Chen', by: 'acc-other' } }]);
  });

  it('as a manager who never completed setup does not count as active: the rule does not hold her', () => {
    spec
      .given([miaOpened])
      .when(deactivate(0, asOther))
      .then([{ type: 'AccountDeactivated', data: { by: 'acc-other' } }]);
  });
});

describe('given Ann, deactivated after she was sent a welcome link', () => {
  const given = [opened, annWelcomed, annDeactivated];

  it('her link is LINK_INVALID', () => {
    spec
      .given(given)
      .when({ type: 'CompleteSetup', now: NOW, data: { inviteId: 'inv-1', passwordHash: 'h', pinHash: 'p' } })
      .thenThrows('LINK_INVALID');
  });

  it('a welcome email is CONFLICT', () => {
    spec
      .given(given)
      .when({ type: 'SendWelcomeEmail', actor: mia, now: NOW, data: { inviteId: 'inv-2', expiresAt: NOW } })
      .thenThrows('CONFLICT');
  });

  it('a login-name request records nothing', () => {
    spec
      .given(given)
      .when({
        type: 'RequestLoginName',
        data: { requestId: 'r', to: 'ann@acme.com', loginNames: ['101@acme'], deliver: true },
      })
      .thenNothingHappened();
  });

  it('deactivating again records nothing', () => {
    spec.given(given).when(deactivate()).thenNothingHappened();
  });

  it('reactivates, and the old link stays dead', () => {
    spec
      .given(given)
      .when({ type: 'ReactivateAccount', actor: mia, data: { reason: 'rehired' } })
      .then([{ type: 'AccountReactivated', data: { by: 'acc-mia', reason: 'rehired' } }]);
    const reactivated: AccountEvent = { type: 'AccountReactivated', data: { by: 'acc-mia' } };
    spec
      .given([...given, reactivated])
      .when({ type: 'CompleteSetup', now: NOW, data: { inviteId: 'inv-1', passwordHash: 'h', pinHash: 'p' } })
      .thenThrows('LINK_INVALID');
    expect(fold([...given, reactivated])).toMatchObject({ status: 'pending', deactivated: false, invite: undefined });
  });

  it('is erased when the name typed matches', () => {
    spec
      .given(given)
      .when(erase(' Ann Lee '))
      .then([{ type: 'AccountErased', data: { by: 'acc-mia' } }]);
  });

  it('is not erased when the name typed differs', () => {
    spec.given(given).when(erase('ann lee')).thenThrows('BAD_USER_INPUT', ['confirmName']);
  });
});

describe('given Ann, active and deactivated', () => {
  it('a reset request records nothing', () => {
    spec
      .given([opened, annWelcomed, annSetUp, annDeactivated])
      .when({ type: 'RequestReset', now: NOW, data: { resetId: 'r', expiresAt: NOW } })
      .thenNothingHappened();
  });
});

describe('given Ann, erased', () => {
  const given = [opened, annDeactivated, { type: 'AccountErased', data: { by: 'acc-mia' } } as AccountEvent];

  it('keeps only her ids', () => {
    expect(fold(given)).toEqual({ status: 'erased', id: 'acc-ann', organizationId: 'org-acme' });
  });

  it('answers every command as if she never existed', () => {
    spec.given(given).when(reactivate).thenThrows('NOT_FOUND');
    spec
      .given(given)
      .when(update({ name: 'Back' }))
      .thenThrows('NOT_FOUND');
    spec.given(given).when({ type: 'SignOutEverywhere', actor: mia }).thenThrows('NOT_FOUND');
  });

  it('records no email outcome about her', () => {
    spec
      .given(given)
      .when({ type: 'RecordEmailOutcome', data: { delivered: true, kind: 'welcome', refId: 'inv-1', to: ['x'] } })
      .thenNothingHappened();
  });
});

describe('signing out everywhere', () => {
  const given = [opened, annWelcomed, annSetUp];

  it('is open to Ann herself and to her office manager, and ends every session', () => {
    spec
      .given(given)
      .when({ type: 'SignOutEverywhere', actor: ann })
      .then([{ type: 'SignedOutEverywhere', data: { by: 'acc-ann' } }]);
    spec
      .given(given)
      .when({ type: 'SignOutEverywhere', actor: mia })
      .then([{ type: 'SignedOutEverywhere', data: { by: 'acc-mia' } }]);
    expect(fold([...given, { type: 'SignedOutEverywhere', data: { by: 'acc-ann' } }])).toMatchObject({
      credentialVersion: 1,
    });
  });

  it('is not open to another user of the organization', () => {
    const bob = { ...ann, accountId: 'acc-bob' };
    spec.given(given).when({ type: 'SignOutEverywhere', actor: bob }).thenThrows('FORBIDDEN');
  });
});
