import { describe, expect, it } from 'vitest';
import { accountEventTypes } from '../../../../../core/accounts/events.js';
import { toCsv } from './csv';
import { eventDetails, eventName, eventNames, rowDetails, visibleData } from './eventWords';

const row = (
  type: string,
  data: Record<string, unknown>,
  actorName = 'Olivia Park',
  userName: string | null = 'Ben Tanaka',
) => ({
  type,
  data,
  actorName,
  userName,
  userExtension: '141',
  occurredAt: '2025-03-04T10:00:00.000Z',
});
const words = (type: string, data: Record<string, unknown>, actorName?: string, userName?: string | null) =>
  rowDetails(row(type, data, actorName, userName));
const by = 'acc-olivia';

describe('given the movers-and-leavers events of an account', () => {
  it('says who changed what, from what to what', () => {
    expect(
      words('ExtensionChanged', {
        from: '101',
        to: '141',
        loginName: '141@acme',
        previousLoginName: '101@acme',
        by,
        recipients: ['ben@acme.example'],
      }),
    ).toBe(
      'Olivia Park changed the extension from 101 to 141. The login name is now 141@acme (was 101@acme); an email told ben@acme.example.',
    );
    expect(words('AccountRenamed', { name: 'Ben Tanaka-Park', previousName: 'Ben Tanaka', by })).toBe(
      'Olivia Park renamed the account from Ben Tanaka to Ben Tanaka-Park.',
    );
    expect(words('RoleChanged', { role: 'AUDITOR', previousRole: 'USER', by })).toBe(
      'Olivia Park changed the role from User to Auditor.',
    );
  });

  it('says a deactivation, a reactivation and an erasure, with the reason when one was given', () => {
    expect(words('AccountDeactivated', { by })).toBe(
      'Olivia Park deactivated the account. Every session ended and every link stopped working.',
    );
    expect(words('AccountDeactivated', { by, reason: 'Left the company' })).toBe(
      'Olivia Park deactivated the account, saying: “Left the company”. Every session ended and every link stopped working.',
    );
    expect(words('AccountReactivated', { by })).toBe('Olivia Park reactivated the account.');
    expect(words('AccountErased', { by })).toMatch(
      /^Olivia Park erased the account: its name, email addresses and free text can no longer be read/,
    );
  });

  it('says a PIN reset email, a PIN change and signing out everywhere, whoever did it', () => {
    expect(
      words('PinResetRequested', {
        resetId: 'r',
        expiresAt: 'not a date',
        recipients: ['ben@acme.example', 'ben@home.example'],
        by,
      }),
    ).toBe('Olivia Park sent a PIN reset email to ben@acme.example and ben@home.example; the link works until .');
    expect(words('VoicemailPinChanged', { changeId: 'c', via: 'reset' }, 'Link holder')).toBe(
      'Voicemail PIN changed with a PIN reset link.',
    );
    expect(words('VoicemailPinChanged', { changeId: 'c', via: 'self' }, 'Ben Tanaka')).toBe(
      'Voicemail PIN changed by the user, signed in.',
    );
    expect(words('SignedOutEverywhere', { by })).toBe(
      'Olivia Park signed the user out everywhere: every session ended.',
    );
    expect(words('SignedOutEverywhere', { by: 'acc-ben' }, 'Ben Tanaka')).toBe(
      'Ben Tanaka signed out everywhere: every session ended.',
    );
    expect(
      words('PasswordChanged', { changeId: 'c', via: 'self', recipients: ['ben@acme.example'] }, 'Ben Tanaka'),
    ).toBe(
      'Password changed by the user, signed in; their other sessions ended, and a notice went to ben@acme.example.',
    );
  });
});

describe('given a welcome link about to expire', () => {
  it('says the reminder, how long the link had left then, and that it is the same link', () => {
    // sent 10:00:05 for a link expiring 14:00: the sweep is a few seconds late, the words are not
    const said = rowDetails({
      ...row(
        'WelcomeReminderSent',
        { reminderId: 'r', inviteId: 'i', expiresAt: '2025-03-04T14:00:00.000Z', recipients: ['ben@acme.example'] },
        'System',
      ),
      occurredAt: '2025-03-04T10:00:05.000Z',
    });
    expect(said).toMatch(/^Reminder sent to ben@acme\.example: the setup link expires in 4 hours, at .+2025.+\. /);
    expect(said).toMatch(/It is the link of the welcome email, not a new one\.$/);
  });

  it('says minutes when less than an hour and a half was left, and no length without an expiry', () => {
    const data = { reminderId: 'r', inviteId: 'i', recipients: ['ben@acme.example'] };
    expect(words('WelcomeReminderSent', { ...data, expiresAt: '2025-03-04T10:45:00.000Z' })).toContain(
      'expires in 45 minutes, at',
    );
    expect(words('WelcomeReminderSent', { ...data, expiresAt: 'x' })).toContain('the setup link works until .');
  });
});

describe('given the entries of an erased account', () => {
  it('shows its personal fields as erased, never as the word alone', () => {
    const erased = (type: string, data: Record<string, unknown>) => words(type, data, 'Olivia Park', 'Erased user');
    expect(erased('AccountOpened', { name: 'erased', email: 'erased', loginName: '101@acme', role: 'USER' })).toBe(
      'Account 101@acme opened for (erased) as User, designated email (erased).',
    );
    expect(erased('AccountRenamed', { name: 'erased', previousName: 'erased', by })).toBe(
      'Olivia Park renamed the account (both names are erased).',
    );
    expect(erased('AccountDeactivated', { by, reason: 'erased' })).toBe(
      'Olivia Park deactivated the account (the reason given is erased). Every session ended and every link stopped working.',
    );
    expect(erased('WelcomeEmailSent', { recipients: ['erased'], expiresAt: 'x' })).toBe(
      'Welcome email to (erased); the link works until .',
    );
    expect(erased('DesignatedEmailChanged', { email: 'erased', previousEmail: 'erased', noticeId: 'n' })).toBe(
      'Designated email changed from (erased) to (erased); a notice went to (erased).',
    );
  });
});

describe('given event types and data the UI does not know', () => {
  it('names every stored account event type, and no more', () => {
    for (const type of accountEventTypes) expect(Object.hasOwn(eventNames, type)).toBe(true);
    expect(eventName('SomethingNewer')).toBe('Something Newer');
  });

  it('never shows anything that looks like a secret, in words or in the CSV', () => {
    const data = {
      via: 'self',
      pinHash: '$argon2id$…',
      passwordHash: 'x',
      token: 't',
      secret: 's',
      pin: '2580',
      keptSessionId: 'k',
    };
    expect(visibleData(data)).toEqual({ via: 'self', keptSessionId: 'k' });
    expect(eventDetails('SomethingNewer', data)).toBe('via: self; kept session id: k');
    const csv = toCsv([row('VoicemailPinChanged', data, 'Ben Tanaka')]);
    for (const secret of ['argon2id', '2580', 'pinHash', 'token']) expect(csv).not.toContain(secret);
  });
});
