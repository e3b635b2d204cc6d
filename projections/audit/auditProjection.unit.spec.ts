import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { toAuditEntry } from './auditProjection.js';

const recorded = (type: string, data: unknown): RecordedEvent => ({
  id: `e-${type}`,
  type,
  data,
  metadata: { occurredAt: '2026-11-26T09:00:00.000Z', actor: 'anonymous', correlationId: 'c', organizationId: 'org-acme' },
  streamName: 'account-acc-ann',
  revision: 3n,
  position: '42',
});
const lookup = () => ({ organizationId: 'org-acme', name: 'Ann Lee', extension: '101', loginName: '101@acme' });

describe('given an account event for the history', () => {
  it('keeps a known type\'s data without its secrets', () => {
    const entry = toAuditEntry(recorded('SetupCompleted', { inviteId: 'inv-1', passwordHash: 'h', pinHash: 'p' }), lookup);
    expect(entry?.data).toEqual({ inviteId: 'inv-1' });
  });

  it('keeps type, time and actor of a type this version does not know, and none of its data', () => {
    const entry = toAuditEntry(recorded('RecoveryCodesIssued', { codes: ['1111-2222'], secretSeed: 's' }), lookup);
    expect(entry).toMatchObject({ type: 'RecoveryCodesIssued', occurredAt: '2026-11-26T09:00:00.000Z', actorId: 'anonymous', data: {} });
  });
});

describe('given a login-name request that named accounts of several organizations', () => {
  it("keeps only this organization's login names, pending ones too", () => {
    const event = recorded('LoginNameRequested', {
      requestId: 'r-1',
      to: 'ann@acme.com',
      loginNames: ['101@acme', '7@globex'],
      pendingLoginNames: ['7@globex', '102@acme'],
      deliver: true,
    });
    expect(toAuditEntry(event, lookup)?.data).toMatchObject({ loginNames: ['101@acme'], pendingLoginNames: ['102@acme'] });
  });
});
