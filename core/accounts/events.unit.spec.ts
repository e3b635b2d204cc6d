import { describe, expect, it } from 'vitest';
import type { AccountEvent } from './events.js';
import { accountIdOfStream, accountStream, redactSecrets } from './events.js';

describe('given event data holding password and PIN hashes', () => {
  const setupCompleted: Extract<AccountEvent, { type: 'SetupCompleted' }>['data'] = {
    inviteId: 'inv-1',
    passwordHash: 'argon2:pw',
    pinHash: 'argon2:pin',
  };
  const passwordChanged: Extract<AccountEvent, { type: 'PasswordChanged' }>['data'] = {
    changeId: 'chg-1',
    via: 'reset',
    resetId: 'rst-1',
    passwordHash: 'argon2:new',
    recipients: ['ann@acme.com'],
  };

  it('drops passwordHash and pinHash and keeps every other field', () => {
    expect(redactSecrets(setupCompleted)).toEqual({ inviteId: 'inv-1' });
    expect(redactSecrets(passwordChanged)).toEqual({
      changeId: 'chg-1',
      via: 'reset',
      resetId: 'rst-1',
      recipients: ['ann@acme.com'],
    });
  });

  it('leaves the stored event data untouched', () => {
    redactSecrets(setupCompleted);
    expect(setupCompleted).toEqual({ inviteId: 'inv-1', passwordHash: 'argon2:pw', pinHash: 'argon2:pin' });
  });
});

describe('given event data without secrets', () => {
  it('keeps it whole', () => {
    const data = { email: 'ann@home.example', previousEmail: 'ann@old.example', by: 'acc-mia' };
    expect(redactSecrets(data)).toEqual(data);
  });

  it('answers an empty object for data that is not an object', () => {
    expect(redactSecrets(null)).toEqual({});
    expect(redactSecrets(undefined)).toEqual({});
    expect(redactSecrets('argon2:pw')).toEqual({});
  });
});

describe('given an account id', () => {
  it('names its stream account-<id> and reads the id back, and nothing from other streams', () => {
    expect(accountStream('acc-ann')).toBe('account-acc-ann');
    expect(accountIdOfStream('account-acc-ann')).toBe('acc-ann');
    expect(accountIdOfStream('organization-org-acme')).toBeUndefined();
  });
});
