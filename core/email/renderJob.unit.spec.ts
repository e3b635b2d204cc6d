import { describe, expect, it } from 'vitest';
import type { OpenAccountState } from '../accounts/account.js';
import type { RecordedEvent } from '../eventStore/eventStore.js';
import { verifyLink } from '../links/linkToken.js';
import { emailJobOf } from './emailJobs.js';
import { renderJob } from './renderJob.js';

const account: OpenAccountState = {
  status: 'active',
  id: 'acc-1',
  organizationId: 'org-1',
  name: 'Desk One',
  extension: '101',
  loginName: '101@acme',
  email: 'frontdesk@acme.example',
  role: 'USER',
  usedResetIds: [],
  usedPinResetIds: [],
  credentialVersion: 0,
  deactivated: false,
};
const ctx = { organizationName: 'Acme', publicUrl: 'https://portal.example.com', linkSecret: Buffer.alloc(32) };

const loginNameRequested = (data: Record<string, unknown>): RecordedEvent => ({
  id: 'evt-1',
  type: 'LoginNameRequested',
  data: { requestId: 'req-1', to: 'frontdesk@acme.example', deliver: true, ...data },
  metadata: { occurredAt: '2026-03-03T14:05:00.000Z', actor: 'anonymous', correlationId: 'c-1' },
  streamName: 'account-acc-1',
  revision: 3n,
  position: '10',
});

const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  ...loginNameRequested({}),
  type,
  data,
});

const render = (data: Record<string, unknown>) => renderJob(emailJobOf(loginNameRequested(data))!, account, ctx);

describe('given a login-name request recorded before pending login names existed', () => {
  const email = render({ loginNames: ['101@acme', '102@acme'] });

  it('renders as it always did: every login name with the way to sign in, and the sign-in page linked', () => {
    expect(email.to).toEqual(['frontdesk@acme.example']);
    expect(email.text).toContain('  - 101@acme\n  - 102@acme');
    expect(email.text).toContain('enter one of these login names with its password');
    expect(email.text).not.toContain('Setup not completed yet');
    expect(email.text).toContain('Sign in: https://portal.example.com/sign-in');
    expect(email.html).toContain('<a href="https://portal.example.com/sign-in"');
  });
});

describe('given a login-name request that names an account which never completed setup', () => {
  const email = render({ loginNames: ['101@acme', '102@acme'], pendingLoginNames: ['102@acme'] });

  it('tells that account to complete setup, and the other how to sign in', () => {
    expect(email.text).toMatch(/Ready to sign in:\n\n {2}- 101@acme\n\n/);
    expect(email.text).toMatch(/Setup not completed yet:\n\n {2}- 102@acme\n\nThis account has not completed setup/);
  });
});

describe('given an extension change', () => {
  const changed = recorded('ExtensionChanged', {
    from: '101',
    to: '205',
    loginName: '205@acme',
    previousLoginName: '101@acme',
    by: 'manager-1',
    noticeId: 'notice-1',
    recipients: ['frontdesk@acme.example', 'desk.two@acme.example'],
  });

  it('tells every recipient the names the event recorded, with the sign-in page for an account that has a password', () => {
    const email = renderJob(emailJobOf(changed)!, account, ctx);
    expect(email).toMatchObject({ kind: 'extension-changed', to: ['frontdesk@acme.example', 'desk.two@acme.example'] });
    expect(email.metadata).toEqual({ accountId: 'acc-1', refId: 'notice-1', kind: 'extension-changed' });
    expect(email.text).toContain('changed from 101 to 205');
    expect(email.text).toContain('Your login name is now: 205@acme');
    expect(email.text).toContain('Sign in: https://portal.example.com/sign-in');
  });

  it('gives an account that never completed setup no sign-in link', () => {
    const email = renderJob(emailJobOf(changed)!, { ...account, status: 'pending' }, ctx);
    expect(email.text).not.toContain('Sign in:');
    expect(email.text).toContain('Complete Setup link in your welcome email');
  });
});

describe('given a PIN reset request', () => {
  const ACCOUNT_ID = '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b';
  const RESET_ID = '7e57a11c-2222-4333-8444-555555555555';
  const requested = recorded('PinResetRequested', {
    resetId: RESET_ID,
    expiresAt: '2026-03-03T17:05:00.000Z',
    recipients: ['frontdesk@acme.example'],
    by: 'manager-1',
  });
  const email = renderJob(emailJobOf(requested)!, { ...account, id: ACCOUNT_ID }, ctx);

  it('links the reset-pin page with a token for this account and reset, good for PIN resets only', () => {
    const token = /\/reset-pin\?token=([A-Za-z0-9_-]+)/.exec(email.text)?.[1];
    expect(token).toBeDefined();
    expect(verifyLink(ctx.linkSecret, 'pin-reset', token!)).toEqual({ accountId: ACCOUNT_ID, linkId: RESET_ID });
    expect(verifyLink(ctx.linkSecret, 'reset', token!)).toBeUndefined();
    expect(email.to).toEqual(['frontdesk@acme.example']);
    expect(email.text).toContain('(in 3 hours)');
  });
});
