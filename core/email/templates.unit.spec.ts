import { describe, expect, it } from 'vitest';
import { escapeHtml } from './html.js';
import { maskEmail, renderEmail, type EmailTemplateInput } from './templates.js';

const sentAt = new Date('2026-03-03T14:05:00Z');
const link = 'https://portal.example.com/setup?token=abc_DEF-123&x=1';

const welcome = (over: Partial<Extract<EmailTemplateInput, { kind: 'welcome' }>> = {}) =>
  renderEmail({
    kind: 'welcome',
    organizationName: 'Acme Dental',
    userName: 'Dana Smith',
    loginName: 'dana.smith',
    link,
    expiresAt: new Date('2026-03-04T14:05:00Z'),
    sentAt,
    ...over,
  });

describe('given a welcome email', () => {
  const email = welcome();

  it('names the organization in the subject', () => {
    expect(email.subject).toBe('Welcome to Acme Dental — complete your phone account setup');
  });
  it('shows the login name, the link and a Complete Setup button in both bodies', () => {
    for (const body of [email.html, email.text]) expect(body).toContain('dana.smith');
    expect(email.text).toContain(`Complete Setup: ${link}`);
    expect(email.html).toContain(`href="${escapeHtml(link)}"`);
    expect(email.html).toMatch(/<a [^>]*>Complete Setup<\/a>/);
  });
  it('gives the expiry in UTC and how long that is from the send time', () => {
    for (const body of [email.html, email.text]) {
      expect(body).toContain('This link expires on 4 March 2026, 14:05 UTC (in 24 hours).');
    }
  });
  it('counts the remaining time from sentAt, not from the clock', () => {
    const later = welcome({ sentAt: new Date('2026-03-04T13:35:00Z') });
    expect(later.text).toContain('(in 30 minutes)');
  });
  it('says what the link is for and what to do when it expired', () => {
    expect(email.text).toContain('choose your password and your voicemail PIN');
    expect(email.text).toContain('ask your office manager to send you a new welcome email');
  });
});

describe('given values that contain HTML', () => {
  const email = welcome({ userName: '<script>alert(1)</script>', organizationName: 'A&B "Phones"' });

  it('escapes them in the HTML body', () => {
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(email.html).toContain('A&amp;B &quot;Phones&quot;');
  });
  it('leaves the plain-text body as written', () => {
    expect(email.text).toContain('Hello <script>alert(1)</script>,');
  });
  it('refuses a link that is not http(s)', () => {
    expect(() => welcome({ link: 'javascript:alert(1)' })).toThrow(/http/);
  });
});

describe('given a reset email', () => {
  const email = renderEmail({
    kind: 'reset',
    userName: 'Dana',
    loginName: 'dana.smith',
    link,
    expiresAt: new Date('2026-03-03T15:05:00Z'),
    sentAt,
  });

  it('offers to choose a new password before the link expires', () => {
    expect(email.subject).toBe('Reset your password');
    expect(email.html).toMatch(/<a [^>]*>Choose a new password<\/a>/);
    expect(email.text).toContain('This link expires on 3 March 2026, 15:05 UTC (in 1 hour).');
  });
  it('tells someone who did not ask that nothing changed', () => {
    expect(email.text).toContain('If you did not ask for this, ignore this email; your password stays unchanged.');
  });
});

describe('given a login-name email', () => {
  const signInUrl = 'https://portal.example.com/sign-in';
  const loginNameEmail = (loginNames: string[], pendingLoginNames?: string[]) =>
    renderEmail({ kind: 'login-name', loginNames, signInUrl, ...(pendingLoginNames ? { pendingLoginNames } : {}) });

  it('lists every login name tied to the address', () => {
    const email = renderEmail({ kind: 'login-name', loginNames: ['dana.smith', 'front-desk', 'd.smith2'] });
    for (const name of ['dana.smith', 'front-desk', 'd.smith2']) {
      expect(email.text).toContain(`- ${name}`);
      expect(email.html).toMatch(new RegExp(`<li[^>]*><strong[^>]*>${name}</strong></li>`));
    }
    expect(email.subject).toBe('Your login names');
    expect(email.text).toContain('To sign in');
  });
  it('uses the singular for one login name and links the sign-in page: a Sign in link, the address in the text', () => {
    const email = loginNameEmail(['dana.smith']);
    expect(email.subject).toBe('Your login name');
    expect(email.text).toContain('open the phone portal sign-in page and enter this login name with its password');
    expect(email.text).toContain(`Sign in: ${signInUrl}`);
    expect(email.html).toMatch(new RegExp(`<a href="${signInUrl}"[^>]*>Sign in</a>`));
    expect(email.html).toMatch(new RegExp(`<a href="${signInUrl}"[^>]*>${signInUrl}</a>`));
  });
  it('names "Forgot password" exactly as the sign-in page does', () => {
    for (const body of [loginNameEmail(['dana.smith']).text, loginNameEmail(['dana.smith']).html]) {
      expect(body).toMatch(/choose (&quot;|")Forgot password(&quot;|") there/);
      expect(body).not.toContain('Forgot password?');
    }
  });
  it('without a sign-in address, only names the sign-in page', () => {
    const email = renderEmail({ kind: 'login-name', loginNames: ['dana.smith'] });
    expect(email.text).not.toContain('Sign in:');
    expect(email.html).not.toContain('href=');
  });
  it('refuses an empty list', () => {
    expect(() => renderEmail({ kind: 'login-name', loginNames: [] })).toThrow(/at least one/);
  });

  describe('for an account that never completed setup', () => {
    const email = loginNameEmail(['201@acme'], ['201@acme']);

    it('says to complete setup with the welcome email, or to ask for a new one, not to sign in with a password', () => {
      for (const body of [email.text, email.html]) {
        expect(body).toContain('201@acme');
        expect(body).toContain('This account has not completed setup yet, so there is no password to sign in with.');
        expect(body).toContain('open the Complete Setup link in your welcome email');
        expect(body).toContain('ask your office manager to send you a new welcome email');
        expect(body).not.toContain('with its password');
        expect(body).not.toContain('Forgot password');
      }
      expect(email.html).not.toContain('>Sign in</a>');
    });
  });

  describe('for an address with a ready account and one that never completed setup', () => {
    const email = loginNameEmail(['101@acme', '201@acme', '301@globex'], ['201@acme', '301@globex']);

    it('groups them: the ready one with the way to sign in, the others with the way to complete setup', () => {
      expect(email.text).toContain(
        [
          'Ready to sign in:',
          '  - 101@acme',
          'To sign in, open the phone portal sign-in page and enter this login name with its password. ' +
            'If you forgot the password, choose "Forgot password" there.',
          `Sign in: ${signInUrl}`,
          'Setup not completed yet:',
          '  - 201@acme\n  - 301@globex',
          'These accounts have not completed setup yet, so there is no password to sign in with.',
        ].join('\n\n'),
      );
      expect(email.html.indexOf('Ready to sign in:')).toBeLessThan(email.html.indexOf('>101@acme<'));
      expect(email.html.indexOf('Setup not completed yet:')).toBeLessThan(email.html.indexOf('>201@acme<'));
    });
  });

  it('treats a pending name that is not in the list as nothing to say (no empty group)', () => {
    const email = loginNameEmail(['101@acme'], ['999@other']);
    expect(email.text).not.toContain('Setup not completed yet');
    expect(email.text).not.toContain('999@other');
  });
});

describe('given a password-changed email', () => {
  const email = renderEmail({
    kind: 'password-changed',
    userName: 'Dana',
    loginName: 'dana.smith',
    changedAt: new Date('2026-03-03T09:07:00Z'),
  });

  it('says when, for which login name, and whom to call if it was not them', () => {
    expect(email.subject).toBe('Your password was changed');
    expect(email.text).toContain('changed on 3 March 2026, 09:07 UTC');
    expect(email.text).toContain('Login name: dana.smith');
    expect(email.html).toContain('If this wasn&#39;t you, contact your office manager right away.');
  });
  it('carries no link', () => {
    expect(email.text).not.toMatch(/https?:\/\//);
    expect(email.html).not.toContain('href=');
  });
});

describe('given a notice to an address an email change took off the account', () => {
  const changed = renderEmail({
    kind: 'email-changed',
    userName: 'Ben Okafor',
    loginName: '101@acme',
    replacedBy: 'jane.doe@example.com',
    changedAt: sentAt,
  });
  const removed = renderEmail({
    kind: 'email-changed',
    userName: 'Ben Okafor',
    loginName: '101@acme',
    changedAt: sentAt,
  });

  it('names the new address only masked, and says whom to call', () => {
    for (const body of [changed.text, changed.html]) {
      expect(body).toContain('j•••@example.com');
      expect(body).not.toContain('jane.doe');
      expect(body).toContain('call your office manager');
      expect(body).toContain('101@acme');
    }
    expect(changed.subject).toBe('Your Keyturn email was changed');
  });

  it('says the address was removed when nothing replaced it', () => {
    expect(removed.text).toContain('This address was removed');
    expect(removed.text).not.toContain('•••');
  });

  it('masks even a one-letter local part', () => {
    expect(maskEmail('j@example.com')).toBe('j•••@example.com');
    expect(maskEmail('nonsense')).toBe('•••');
  });
});

describe('given a voicemail PIN reset email', () => {
  const pinLink = 'https://portal.example.com/reset-pin?token=abc_DEF-123';
  const email = renderEmail({
    kind: 'pin-reset',
    userName: 'Dana',
    loginName: '101@acme',
    link: pinLink,
    expiresAt: new Date('2026-03-03T17:05:00Z'),
    sentAt,
  });

  it('offers to choose a new PIN through the link, in both bodies', () => {
    expect(email.subject).toBe('Reset your voicemail PIN');
    expect(email.html).toMatch(/<a [^>]*>Choose a new PIN<\/a>/);
    expect(email.html).toContain(`href="${escapeHtml(pinLink)}"`);
    expect(email.text).toContain(`Choose a new PIN: ${pinLink}`);
    for (const body of [email.html, email.text]) expect(body).toContain('101@acme');
  });
  it('gives the expiry as the password reset email does', () => {
    for (const body of [email.html, email.text]) {
      expect(body).toContain('This link expires on 3 March 2026, 17:05 UTC (in 3 hours).');
    }
  });
  it('tells someone who did not ask to ignore it, and that the PIN stays as it is', () => {
    expect(email.text).toContain('If you did not ask for this, ignore this email; your voicemail PIN stays unchanged.');
    expect(email.text).not.toContain('password');
  });
  it('escapes the name in the HTML body and refuses a link that is not http(s)', () => {
    const html = renderEmail({
      kind: 'pin-reset',
      userName: '<b>Dana</b>',
      loginName: '101@acme',
      link: pinLink,
      expiresAt: sentAt,
      sentAt,
    }).html;
    expect(html).toContain('Hello &lt;b&gt;Dana&lt;/b&gt;,');
    expect(() =>
      renderEmail({
        kind: 'pin-reset',
        userName: 'Dana',
        loginName: '101@acme',
        link: 'data:text/html,x',
        expiresAt: sentAt,
        sentAt,
      }),
    ).toThrow(/http/);
  });
});

describe('given an extension-changed email', () => {
  const signInUrl = 'https://portal.example.com/sign-in';
  const extensionChanged = (over: Partial<Extract<EmailTemplateInput, { kind: 'extension-changed' }>> = {}) =>
    renderEmail({
      kind: 'extension-changed',
      userName: 'Ben Okafor',
      previousExtension: '101',
      extension: '205',
      loginName: '205@acme',
      previousLoginName: '101@acme',
      changedAt: sentAt,
      setupCompleted: true,
      signInUrl,
      ...over,
    });

  describe('to someone who completed setup', () => {
    const email = extensionChanged();

    it('says the extension changed from the old to the new one, and when', () => {
      expect(email.subject).toBe('Your phone extension and login name have changed');
      for (const body of [email.html, email.text]) {
        expect(body).toContain('Your phone extension was changed from 101 to 205 on 3 March 2026, 14:05 UTC.');
      }
    });
    it('gives the new login name, and that the previous one no longer works', () => {
      expect(email.text).toContain('Your login name is now: 205@acme');
      expect(email.html).toMatch(/Your login name is now <strong[^>]*>205@acme<\/strong>/);
      for (const body of [email.html, email.text]) {
        expect(body).toContain('Your previous login name, 101@acme, no longer works.');
      }
    });
    it('says the password stays the same and links the sign-in page', () => {
      expect(email.text).toContain('Your password stays the same');
      expect(email.text).toContain(`Sign in: ${signInUrl}`);
      expect(email.html).toMatch(new RegExp(`<a href="${signInUrl}"[^>]*>Sign in</a>`));
    });
    it('without a sign-in address, links nothing', () => {
      const plain = extensionChanged({ signInUrl: undefined });
      expect(plain.text).not.toContain('Sign in:');
      expect(plain.html).not.toContain('href=');
    });
  });

  describe('to someone who never completed setup (no password yet)', () => {
    const email = extensionChanged({ setupCompleted: false });

    it('points to the welcome email instead of to a password and a sign-in link', () => {
      for (const body of [email.text, email.html]) {
        expect(body).toContain('205@acme');
        expect(body).toContain('open the Complete Setup link in your welcome email');
        expect(body).not.toContain('password you already have');
      }
      expect(email.html).not.toContain('href=');
      expect(email.text).not.toContain('Sign in:');
    });
  });

  it('escapes every value in the HTML body', () => {
    const email = extensionChanged({ userName: 'A&B', loginName: '<i>205</i>@acme' });
    expect(email.html).toContain('Hello A&amp;B,');
    expect(email.html).toContain('&lt;i&gt;205&lt;/i&gt;@acme');
    expect(email.html).not.toContain('<i>');
  });
});
