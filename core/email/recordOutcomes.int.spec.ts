import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountStream } from '../accounts/events.js';
import { silentLogger } from '../logger.js';
import { emailJobOf, type EmailJob } from './emailJobs.js';
import { recordOutcomes } from './recordOutcomes.js';
import { reactorFixture, type ReactorFixture } from './testing/reactorFixture.js';

describe('recording email outcomes through the account decider', () => {
  let f: ReactorFixture;
  let job: EmailJob;
  let accountId: string;
  beforeEach(async () => {
    f = await reactorFixture();
    accountId = await f.userWithWelcome('ben@acme.example', '101');
    job = (await f.store.readStream(accountStream(accountId))).map(emailJobOf).find((j) => j !== undefined)!;
  });
  afterEach(() => f.close());

  const delivered = (refId = job.refId) => ({
    delivered: true as const,
    kind: job.kind,
    refId,
    to: ['ben@acme.example'],
    providerMessageId: 'pm-1',
  });

  it('appends the outcome at the revision it read, tied to the request that caused the email', async () => {
    expect(await recordOutcomes(f.store, [{ job, outcome: delivered() }], new Date(), silentLogger)).toHaveLength(1);
    const last = (await f.store.readStream(accountStream(accountId))).at(-1)!;
    expect(last).toMatchObject({ id: job.outcomeEventId, type: 'EmailDelivered', metadata: { actor: 'system' } });
    expect(last.metadata.correlationId).toBe(job.event.metadata.correlationId);
  });

  it('records a second outcome for the same email nowhere, even under another event id (stores that keep duplicates)', async () => {
    await recordOutcomes(f.store, [{ job, outcome: delivered() }], new Date(), silentLogger);
    const elsewhere = { ...job, outcomeEventId: randomUUID() };
    const failed = { ...delivered(), delivered: false as const, errorCode: '406', reason: 'inactive recipient' };
    expect(await recordOutcomes(f.store, [{ job: elsewhere, outcome: failed }], new Date(), silentLogger)).toEqual([]);
    const outcomes = await f.outcomes(accountId);
    expect(outcomes.map((e) => e.type)).toEqual(['EmailDelivered']);
  });

  it('records nothing, and does not throw, for a stream without an account', async () => {
    const ghost = { ...job, event: { ...job.event, streamName: accountStream('no-such-account') } };
    expect(await recordOutcomes(f.store, [{ job: ghost, outcome: delivered() }], new Date(), silentLogger)).toEqual([]);
    expect(await f.store.readStream(accountStream('no-such-account'))).toEqual([]);
  });
});
