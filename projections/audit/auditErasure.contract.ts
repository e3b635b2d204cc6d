import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountIdOfStream, accountStream } from '../../core/accounts/events.js';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { withPersonalFieldsErased } from '../../core/personalData/personalFields.js';
import type { AuditEntry, ReadModel } from '../readModel.js';
import { eventLog, type EventLog } from '../testing/events.js';

export interface AuditErasureContractOptions {
  /** a fresh, empty read model */
  factory: () => Promise<ReadModel>;
}

/**
 * How the events read once the key is gone: what a replay (rebuild) after the erasure sees. The
 * `AccountErased` event itself carries nothing personal.
 */
const asReadAfterErasure = (events: RecordedEvent[], accountId: string) =>
  events.map((e) =>
    accountIdOfStream(e.streamName) === accountId
      ? { ...e, data: withPersonalFieldsErased(e.type, e.data as Record<string, unknown>) }
      : e,
  );

/** The audit history once an account is erased, the same on every read-model adapter. */
export function testAuditErasureContract(name: string, options: AuditErasureContractOptions) {
  describe(`audit erasure contract: ${name}`, () => {
    const opened: ReadModel[] = [];
    const open = async () => {
      const readModel = await options.factory();
      opened.push(readModel);
      return readModel;
    };
    afterEach(async () => {
      for (const readModel of opened.splice(0)) await readModel.close();
    });
    const history = async (readModel: ReadModel, organizationId: string) =>
      (await readModel.audit.list({ organizationId, first: 200 })).edges.map((e) => e.node);

    let log: EventLog;
    let org: string;
    let manager: string;
    let quentin: string;
    let yara: string;
    let beforeErasure: RecordedEvent[];
    beforeEach(() => {
      log = eventLog();
      org = log.organizationRegistered().data.organizationId;
      manager = log.accountOpened(org, { name: 'Mona Manager', extension: '100', role: 'OFFICE_MANAGER' }).data
        .accountId;
      quentin = log.accountOpened(
        org,
        { name: 'Quentin Zabriskie', extension: '101', email: 'quentin@acme.example' },
        manager,
      ).data.accountId;
      yara = log.accountOpened(org, { name: 'Yara Young', extension: '102', email: 'yara@acme.example' }, manager).data
        .accountId;
      log.welcomeEmailSent(quentin, { by: manager });
      log.secondaryEmailAdded(quentin, 'q@home.example', quentin);
      // Quentin acts on someone else's account: that entry is Yara's, with Quentin as its actor.
      log.designatedEmailChanged(yara, 'yara.young@acme.example', quentin);
      log.record(
        accountStream(quentin),
        'AccountDeactivated',
        { by: manager, reason: 'left to join Quentin & Co' },
        { actor: manager },
      );
      beforeErasure = log.all();
      log.record(accountStream(quentin), 'AccountErased', { by: manager }, { actor: manager });
    });

    const erasedEntry = (entries: AuditEntry[], type: string, accountId = quentin) =>
      entries.find((e) => e.type === type && e.accountId === accountId)!;

    describe('given an account erased after a history', () => {
      it('its entries keep their shape; its names and personal fields read as erased, as subject and as actor', async () => {
        const readModel = await open();
        await readModel.apply(beforeErasure);
        await readModel.apply(log.all().slice(beforeErasure.length));
        const entries = await history(readModel, org);
        expect(entries.map((e) => e.type).reverse()).toEqual([
          'OrganizationRegistered',
          'AccountOpened',
          'AccountOpened',
          'AccountOpened',
          'WelcomeEmailSent',
          'SecondaryEmailAdded',
          'DesignatedEmailChanged',
          'AccountDeactivated',
          'AccountErased',
        ]);
        const mine = entries.filter((e) => e.accountId === quentin);
        expect(mine).toHaveLength(5);
        for (const entry of mine) expect(entry.accountName).toBe('Erased user');
        expect(erasedEntry(entries, 'AccountOpened').data).toMatchObject({
          name: 'erased',
          email: 'erased',
          extension: '101',
          role: 'USER',
        });
        expect(erasedEntry(entries, 'WelcomeEmailSent').data).toMatchObject({
          recipients: ['erased'],
          sentBy: manager,
        });
        expect(erasedEntry(entries, 'SecondaryEmailAdded').data).toMatchObject({ email: 'erased', by: quentin });
        expect(erasedEntry(entries, 'AccountDeactivated').data).toEqual({ by: manager, reason: 'erased' });
        expect(erasedEntry(entries, 'SecondaryEmailAdded').actorName).toBe('Erased user');
        // Yara's entry: only the actor goes; her own data stays.
        const onYara = erasedEntry(entries, 'DesignatedEmailChanged', yara);
        expect(onYara).toMatchObject({ accountName: 'Yara Young', actorId: quentin, actorName: 'Erased user' });
        expect(onYara.data).toMatchObject({ email: 'yara.young@acme.example' });
        expect(erasedEntry(entries, 'AccountOpened', yara)).toMatchObject({
          accountName: 'Yara Young',
          actorName: 'Mona Manager',
        });
        expect(JSON.stringify(entries)).not.toMatch(/Quentin|Zabriskie|quentin@|q@home/);
      });

      it('a redelivered erasure changes nothing more', async () => {
        const readModel = await open();
        await readModel.apply(log.all());
        const once = await history(readModel, org);
        await readModel.apply(log.all().slice(-3));
        expect(await history(readModel, org)).toEqual(once);
      });

      it('a rebuild, which reads the events without the key, gives the same history, whatever the batches', async () => {
        const live = await open();
        const sofar = log.batch();
        await live.apply(sofar.slice(0, beforeErasure.length));
        await live.apply(sofar.slice(beforeErasure.length));
        // A provider's late report, recorded after the erasure: the store keeps no personal data of it.
        const report = { kind: 'welcome', refId: 'late', to: ['erased'], errorCode: '406', reason: 'erased' };
        log.record(accountStream(quentin), 'EmailDeliveryFailed', report);
        await live.apply(log.batch());
        const replayed = asReadAfterErasure(log.all(), quentin);
        const oneBatch = await open();
        await oneBatch.apply(replayed);
        const small = await open();
        for (let i = 0; i < replayed.length; i += 2) await small.apply(replayed.slice(i, i + 2));
        const expected = await history(live, org);
        expect(await history(oneBatch, org)).toEqual(expected);
        expect(await history(small, org)).toEqual(expected);
      });
    });
  });
}
