import { describe, expect, it } from 'vitest';
import type { OpenAccountState } from '../accounts/account.js';
import type { RecordedEvent } from '../eventStore/eventStore.js';
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
  credentialVersion: 0,
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
