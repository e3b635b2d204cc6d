import { describe, expect, it } from 'vitest';
import { evolveAccount, initialAccountState, type AccountCommand } from './account.js';
import type { AccountEvent } from './events.js';
import {
  IN_AN_HOUR,
  NOW,
  ann,
  annDeactivated,
  annOpened as opened,
  annSetUp,
  annWelcomed,
  mia,
  accountSpec as spec,
} from './testing/ann.js';

const active = [opened, annWelcomed, annSetUp];
const changePassword = (passwordConfirmed = true, actor = ann): AccountCommand => ({
  type: 'ChangeOwnPassword',
  actor,
  data: { changeId: 'chg-1', passwordHash: 'pw-2', keptSessionId: 'ses-1', passwordConfirmed },
});
const changePin = (passwordConfirmed = true, actor = ann): AccountCommand => ({
  type: 'ChangeOwnPin',
  actor,
  data: { changeId: 'chg-2', pinHash: 'pin-2', passwordConfirmed },
});
const sendPinReset: AccountCommand = {
  type: 'SendPinResetEmail',
  actor: mia,
  now: NOW,
  data: { resetId: 'pr-1', expiresAt: new Date(IN_AN_HOUR) },
};
const pinResetSent: AccountEvent = {
  type: 'PinResetRequested',
  data: { resetId: 'pr-1', expiresAt: IN_AN_HOUR, recipients: ['ann@acme.com'], by: 'acc-mia' },
};
const resetPin = (resetId = 'pr-1', now = NOW): AccountCommand => ({
  type: 'ResetPin',
  now,
  data: { resetId, changeId: 'chg-3', pinHash: 'pin-3' },
});
const fold = (events: AccountEvent[]) => events.reduce(evolveAccount, initialAccountState());

describe('given Ann, signed in', () => {
  it('changes her password, keeping the session she asked from', () => {
    spec
      .given(active)
      .when(changePassword())
      .then([
        {
          type: 'PasswordChanged',
          data: {
            changeId: 'chg-1',
            via: 'self',
            passwordHash: 'pw-2',
            keptSessionId: 'ses-1',
            recipients: ['ann@acme.com'],
          },
        },
      ]);
  });

  it('cannot change it without her current password', () => {
    spec.given(active).when(changePassword(false)).thenThrows('INVALID_CREDENTIALS');
  });

  it('cannot change anyone else’s: their account answers NOT_FOUND, even to a manager', () => {
    spec.given(active).when(changePassword(true, mia)).thenThrows('NOT_FOUND');
    spec.given(active).when(changePin(true, mia)).thenThrows('NOT_FOUND');
  });

  it('changes her PIN with her password', () => {
    spec
      .given(active)
      .when(changePin())
      .then([{ type: 'VoicemailPinChanged', data: { changeId: 'chg-2', via: 'self', pinHash: 'pin-2' } }]);
    spec.given(active).when(changePin(false)).thenThrows('INVALID_CREDENTIALS');
  });

  it('a password change kills a PIN reset link? no: only a PIN change does', () => {
    const changed: AccountEvent = { type: 'VoicemailPinChanged', data: { changeId: 'c', via: 'self', pinHash: 'p' } };
    spec
      .given([...active, pinResetSent, changed])
      .when(resetPin())
      .thenThrows('LINK_INVALID');
  });
});

describe('given Ann, active, and her office manager', () => {
  it('sends her a PIN reset link to every address she has', () => {
    spec.given(active).when(sendPinReset).then([pinResetSent]);
  });

  it('is CONFLICT before she completed setup, or while she is deactivated', () => {
    spec.given([opened, annWelcomed]).when(sendPinReset).thenThrows('CONFLICT');
    spec
      .given([...active, annDeactivated])
      .when(sendPinReset)
      .thenThrows('CONFLICT');
  });

  it('is FORBIDDEN to Ann herself', () => {
    spec
      .given(active)
      .when({ ...sendPinReset, actor: ann })
      .thenThrows('FORBIDDEN');
  });
});

describe('given a PIN reset link', () => {
  const given = [...active, pinResetSent];

  it('sets the new PIN and is used up', () => {
    spec
      .given(given)
      .when(resetPin())
      .then([
        { type: 'VoicemailPinChanged', data: { changeId: 'chg-3', via: 'reset', resetId: 'pr-1', pinHash: 'pin-3' } },
      ]);
    const used: AccountEvent = {
      type: 'VoicemailPinChanged',
      data: { changeId: 'chg-3', via: 'reset', resetId: 'pr-1', pinHash: 'pin-3' },
    };
    spec
      .given([...given, used])
      .when(resetPin())
      .thenThrows('LINK_USED');
    expect(fold([...given, used])).toMatchObject({ pinHash: 'pin-3', pinReset: undefined });
  });

  it('is LINK_EXPIRED after its lifetime', () => {
    spec
      .given(given)
      .when(resetPin('pr-1', new Date(IN_AN_HOUR)))
      .thenThrows('LINK_EXPIRED');
  });

  it('is LINK_INVALID once a newer one was sent', () => {
    const newer: AccountEvent = { ...pinResetSent, data: { ...pinResetSent.data, resetId: 'pr-2' } };
    spec
      .given([...given, newer])
      .when(resetPin('pr-1'))
      .thenThrows('LINK_INVALID');
  });

  it('is LINK_INVALID once the account is deactivated, and after reactivation', () => {
    spec
      .given([...given, annDeactivated])
      .when(resetPin())
      .thenThrows('LINK_INVALID');
    const back: AccountEvent = { type: 'AccountReactivated', data: { by: 'acc-mia' } };
    spec
      .given([...given, annDeactivated, back])
      .when(resetPin())
      .thenThrows('LINK_INVALID');
  });

  it('is LINK_INVALID once its recipient address was replaced', () => {
    const moved: AccountEvent = {
      type: 'DesignatedEmailChanged',
      data: { email: 'ann.lee@acme.com', previousEmail: 'ann@acme.com', by: 'acc-mia' },
    };
    spec
      .given([...given, moved])
      .when(resetPin())
      .thenThrows('LINK_INVALID');
  });
});
