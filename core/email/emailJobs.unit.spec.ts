import { describe, expect, it } from 'vitest';
import type { AccountEvent } from '../accounts/events.js';
import type { RecordedEvent } from '../eventStore/eventStore.js';
import { emailJobOf, emailRequestOf, isSettled, type EmailJob } from './emailJobs.js';

const by = 'manager-1';
const opened: AccountEvent = {
  type: 'AccountOpened',
  data: {
    accountId: 'acc-1',
    organizationId: 'org-1',
    name: 'Ben Okafor',
    extension: '101',
    loginName: '101@acme',
    email: 'ben@acme.example',
    role: 'USER',
    openedBy: by,
  },
};
const recipients = ['ben@acme.example'];
const expiresAt = '2026-03-03T17:05:00.000Z';
const welcome: AccountEvent = {
  type: 'WelcomeEmailSent',
  data: { inviteId: 'invite-1', expiresAt, recipients, sentBy: by },
};
const setUp: AccountEvent = { type: 'SetupCompleted', data: { inviteId: 'invite-1', passwordHash: 'h', pinHash: 'p' } };
const reset: AccountEvent = { type: 'ResetRequested', data: { resetId: 'reset-1', expiresAt, recipients } };
const pinReset = (resetId: string): AccountEvent => ({
  type: 'PinResetRequested',
  data: { resetId, expiresAt, recipients, by },
});
const passwordChanged: AccountEvent = {
  type: 'PasswordChanged',
  data: { changeId: 'change-1', via: 'self', passwordHash: 'h2', recipients },
};
const loginName: AccountEvent = {
  type: 'LoginNameRequested',
  data: { requestId: 'req-1', to: 'ben@acme.example', loginNames: ['101@acme'], deliver: true },
};
const extensionChanged: AccountEvent = {
  type: 'ExtensionChanged',
  data: {
    from: '101',
    to: '205',
    loginName: '205@acme',
    previousLoginName: '101@acme',
    by,
    noticeId: 'notice-1',
    recipients,
  },
};
const emailChanged: AccountEvent = {
  type: 'DesignatedEmailChanged',
  data: { email: 'ben.o@acme.example', previousEmail: 'ben@acme.example', by, noticeId: 'notice-2' },
};
const deactivated: AccountEvent = { type: 'AccountDeactivated', data: { by } };
const reactivated: AccountEvent = { type: 'AccountReactivated', data: { by } };
const erased: AccountEvent = { type: 'AccountErased', data: { by } };

const streamOf = (...events: AccountEvent[]): RecordedEvent[] =>
  events.map((e, i) => ({
    id: `evt-${i}`,
    type: e.type,
    data: e.data,
    metadata: { occurredAt: '2026-03-03T14:05:00.000Z', actor: by, correlationId: 'c-1' },
    streamName: 'account-acc-1',
    revision: BigInt(i),
    position: String(i),
  }));

/** The job of the event of type `type` in `stream` (the first such event). */
const jobIn = (stream: RecordedEvent[], type: AccountEvent['type']): EmailJob =>
  emailJobOf(stream.find((e) => e.type === type)!)!;

describe('which email each new account event asks for', () => {
  it('asks for an extension-changed notice, under the notice id', () => {
    expect(emailRequestOf(extensionChanged)).toEqual({ kind: 'extension-changed', refId: 'notice-1' });
  });
  it('asks for a pin-reset link, under the reset id', () => {
    expect(emailRequestOf(pinReset('pin-1'))).toEqual({ kind: 'pin-reset', refId: 'pin-1' });
  });
  it('sends the password-changed notice for a change the signed-in user made, as for a reset', () => {
    expect(emailRequestOf(passwordChanged)).toEqual({ kind: 'password-changed', refId: 'change-1' });
  });
  it('asks for nothing on the other movers-and-leavers events', () => {
    const none: AccountEvent[] = [
      { type: 'AccountRenamed', data: { name: 'B', previousName: 'A', by } },
      { type: 'RoleChanged', data: { role: 'AUDITOR', previousRole: 'USER', by } },
      deactivated,
      reactivated,
      erased,
      { type: 'SignedOutEverywhere', data: { by } },
      { type: 'VoicemailPinChanged', data: { changeId: 'c', via: 'self', pinHash: 'p' } },
    ];
    for (const event of none) expect(emailRequestOf(event), event.type).toBeUndefined();
  });
});

describe('given a PIN reset link', () => {
  it('is worth sending while it is the newest and the PIN was not changed since', () => {
    const stream = streamOf(opened, welcome, setUp, pinReset('pin-1'));
    expect(isSettled(jobIn(stream, 'PinResetRequested'), stream)).toBe(false);
  });
  it('is not, once a newer PIN reset link went out', () => {
    const stream = streamOf(opened, welcome, setUp, pinReset('pin-1'), pinReset('pin-2'));
    expect(isSettled(emailJobOf(stream[3]!)!, stream)).toBe(true);
    expect(isSettled(emailJobOf(stream[4]!)!, stream)).toBe(false);
  });
  it('is not, once the PIN was changed', () => {
    const changed: AccountEvent = { type: 'VoicemailPinChanged', data: { changeId: 'c', via: 'self', pinHash: 'p2' } };
    const stream = streamOf(opened, welcome, setUp, pinReset('pin-1'), changed);
    expect(isSettled(jobIn(stream, 'PinResetRequested'), stream)).toBe(true);
  });
  it('is not killed by a password reset link (its own kind only)', () => {
    const stream = streamOf(opened, welcome, setUp, pinReset('pin-1'), reset);
    expect(isSettled(jobIn(stream, 'PinResetRequested'), stream)).toBe(false);
  });
});

describe('given an account deactivated after its emails were asked for', () => {
  const asked = [reset, pinReset('pin-1'), loginName, extensionChanged, passwordChanged, emailChanged];
  const stream = streamOf(opened, welcome, setUp, ...asked, deactivated);

  it('sends no link and no login name: no welcome, reset, PIN reset, login-name or extension notice', () => {
    const welcomeStream = streamOf(opened, welcome, deactivated);
    expect(isSettled(jobIn(welcomeStream, 'WelcomeEmailSent'), welcomeStream)).toBe(true);
    for (const type of ['ResetRequested', 'PinResetRequested', 'LoginNameRequested', 'ExtensionChanged'] as const) {
      expect(isSettled(jobIn(stream, type), stream), type).toBe(true);
    }
  });
  it('still sends the notices that its password or email changed', () => {
    expect(isSettled(jobIn(stream, 'PasswordChanged'), stream)).toBe(false);
    expect(isSettled(jobIn(stream, 'DesignatedEmailChanged'), stream)).toBe(false);
  });
  it('sends the extension notice again once the account is reactivated, but no link deactivation killed', () => {
    const back = streamOf(opened, welcome, setUp, reset, extensionChanged, deactivated, reactivated);
    expect(isSettled(jobIn(back, 'ExtensionChanged'), back)).toBe(false);
    expect(isSettled(jobIn(back, 'ResetRequested'), back)).toBe(true);
  });
});

describe('given an erased account', () => {
  const stream = streamOf(opened, welcome, setUp, extensionChanged, passwordChanged, emailChanged, deactivated, erased);

  it('sends nothing at all, not even the notices a deactivated account still gets', () => {
    for (const type of ['ExtensionChanged', 'PasswordChanged', 'DesignatedEmailChanged'] as const) {
      expect(isSettled(jobIn(stream, type), stream), type).toBe(true);
    }
  });
});

describe('given a stream that cannot be folded', () => {
  it('leaves the job to be prepared (which logs it and sends nothing) instead of throwing', () => {
    const stream = streamOf(opened, extensionChanged);
    const broken = [...stream, { ...stream[1]!, id: 'evt-x', type: 'WelcomeEmailSent', data: null, revision: 2n }];
    expect(() => isSettled(jobIn(stream, 'ExtensionChanged'), broken)).not.toThrow();
    expect(isSettled(jobIn(stream, 'ExtensionChanged'), broken)).toBe(false);
  });
});
