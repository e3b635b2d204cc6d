import { randomUUID } from 'node:crypto';
import type { AccountEvent, AccountEventType, EmailKind, Role } from '../../core/accounts/events.js';
import { accountIdOfStream, accountStream } from '../../core/accounts/events.js';
import type { EventMetadata, RecordedEvent } from '../../core/eventStore/eventStore.js';
import type { OrganizationEvent } from '../../core/organizations/organization.js';
import { organizationStream } from '../../core/organizations/organization.js';

type DataOf<T extends AccountEventType> = Extract<AccountEvent, { type: T }>['data'];
export type Recorded<T extends AccountEventType> = RecordedEvent<T, DataOf<T>>;

const HOUR = 3_600_000;

interface Account {
  organizationId: string;
  loginName: string;
  email: string;
  secondaryEmail?: string;
}

/** Events as a subscription would deliver them; each call advances the clock by a minute. */
export interface EventLog {
  /** what happened since the previous call: the next batch a subscription would deliver */
  batch(): RecordedEvent[];
  /** every event so far, in global order */
  all(): RecordedEvent[];
  /** the time the next event will occur at */
  now(): Date;
  advance(ms: number): void;
  record<D>(streamName: string, type: string, data: D, metadata?: Partial<EventMetadata>): RecordedEvent<string, D>;
  organizationRegistered(input?: {
    name?: string;
    domain?: string;
  }): RecordedEvent<'OrganizationRegistered', OrganizationEvent['data']>;
  accountOpened(
    organizationId: string,
    input: { name: string; extension: string; email?: string; role?: Role; domain?: string },
    by?: string,
  ): Recorded<'AccountOpened'>;
  welcomeEmailSent(
    accountId: string,
    input?: { expiresAt?: Date; bulkId?: string; by?: string },
  ): Recorded<'WelcomeEmailSent'>;
  setupCompleted(welcome: Recorded<'WelcomeEmailSent'>): Recorded<'SetupCompleted'>;
  resetRequested(accountId: string): Recorded<'ResetRequested'>;
  passwordChanged(reset: Recorded<'ResetRequested'>): Recorded<'PasswordChanged'>;
  loginNameRequested(accountId: string, input: { to?: string; deliver: boolean }): Recorded<'LoginNameRequested'>;
  designatedEmailChanged(accountId: string, email: string, by?: string): Recorded<'DesignatedEmailChanged'>;
  secondaryEmailAdded(accountId: string, email: string, by?: string): Recorded<'SecondaryEmailAdded'>;
  secondaryEmailRemoved(accountId: string, by?: string): Recorded<'SecondaryEmailRemoved'>;
  /** the email reactor's report on the email an event asked for */
  emailDelivered(request: RecordedEvent): Recorded<'EmailDelivered'>;
  emailDeliveryFailed(request: RecordedEvent, reason?: string): Recorded<'EmailDeliveryFailed'>;
}

/** Which email an event asked for, as the email reactor reads it. */
export function emailRequestOf(event: RecordedEvent): { kind: EmailKind; refId: string; to: string[] } {
  const data = event.data as Record<string, unknown>;
  const recipients = (data.recipients ?? [data.to]) as string[];
  const kinds: Record<string, [EmailKind, string]> = {
    WelcomeEmailSent: ['welcome', 'inviteId'],
    ResetRequested: ['reset', 'resetId'],
    PasswordChanged: ['password-changed', 'changeId'],
    LoginNameRequested: ['login-name', 'requestId'],
  };
  const found = kinds[event.type];
  if (!found) throw new Error(`${event.type} asks for no email`);
  return { kind: found[0], refId: String(data[found[1]]), to: recipients };
}

/** Positions are ascending decimal strings, like the SQLite event store's. */
export function eventLog(options: { start?: Date } = {}): EventLog {
  const events: RecordedEvent[] = [];
  let taken = 0;
  let clock = (options.start ?? new Date('2025-03-03T09:00:00.000Z')).getTime();
  const revisions = new Map<string, bigint>();
  const accounts = new Map<string, Account>();

  const account = (accountId: string) => {
    const found = accounts.get(accountId);
    if (!found) throw new Error(`No account ${accountId} was opened in this log`);
    return found;
  };
  const recipients = (a: Account) => (a.secondaryEmail ? [a.email, a.secondaryEmail] : [a.email]);

  const record = <D>(streamName: string, type: string, data: D, metadata: Partial<EventMetadata> = {}) => {
    const revision = (revisions.get(streamName) ?? -1n) + 1n;
    revisions.set(streamName, revision);
    const accountId = accountIdOfStream(streamName);
    const organizationId = accountId ? accounts.get(accountId)?.organizationId : undefined;
    const event: RecordedEvent<string, D> = {
      id: randomUUID(),
      type,
      data,
      metadata: {
        occurredAt: new Date(clock).toISOString(),
        actor: 'system',
        correlationId: randomUUID(),
        ...(organizationId ? { organizationId } : {}),
        ...metadata,
      },
      streamName,
      revision,
      position: String(events.length + 1),
    };
    events.push(event);
    clock += 60_000;
    return event;
  };
  const onAccount = <T extends AccountEventType>(accountId: string, type: T, data: DataOf<T>, actor?: string) =>
    record(accountStream(accountId), type, data, actor ? { actor } : {}) as Recorded<T>;

  return {
    batch: () => events.slice(taken, (taken = events.length)),
    all: () => [...events],
    now: () => new Date(clock),
    advance: (ms) => void (clock += ms),
    record,
    organizationRegistered(input = {}) {
      const organizationId = randomUUID();
      const data = {
        organizationId,
        name: input.name ?? 'Acme',
        domain: input.domain ?? 'acme',
        registeredBy: 'system',
      };
      return record(organizationStream(organizationId), 'OrganizationRegistered', data) as RecordedEvent<
        'OrganizationRegistered',
        OrganizationEvent['data']
      >;
    },
    accountOpened(organizationId, input, by = 'system') {
      const accountId = randomUUID();
      const loginName = `${input.extension}@${input.domain ?? 'acme'}`;
      const email = input.email ?? `user-${accountId}@example.com`;
      accounts.set(accountId, { organizationId, loginName, email });
      const { name, extension } = input;
      const data = {
        accountId,
        organizationId,
        name,
        extension,
        loginName,
        email,
        role: input.role ?? 'USER',
        openedBy: by,
      };
      return onAccount(accountId, 'AccountOpened', data, by);
    },
    welcomeEmailSent(accountId, input = {}) {
      const expiresAt = (input.expiresAt ?? new Date(clock + 24 * HOUR)).toISOString();
      const by = input.by ?? 'system';
      const data = { inviteId: randomUUID(), expiresAt, recipients: recipients(account(accountId)), sentBy: by };
      return onAccount(
        accountId,
        'WelcomeEmailSent',
        { ...data, ...(input.bulkId ? { bulkId: input.bulkId } : {}) },
        by,
      );
    },
    setupCompleted(welcome) {
      const accountId = accountIdOfStream(welcome.streamName)!;
      const data = {
        inviteId: welcome.data.inviteId,
        passwordHash: '$argon2id$secret-hash',
        pinHash: '$argon2id$pin-hash',
      };
      return onAccount(accountId, 'SetupCompleted', data, 'anonymous');
    },
    resetRequested(accountId) {
      const data = {
        resetId: randomUUID(),
        expiresAt: new Date(clock + 3 * HOUR).toISOString(),
        recipients: recipients(account(accountId)),
      };
      return onAccount(accountId, 'ResetRequested', data, 'anonymous');
    },
    passwordChanged(reset) {
      const accountId = accountIdOfStream(reset.streamName)!;
      const data = {
        changeId: randomUUID(),
        via: 'reset' as const,
        resetId: reset.data.resetId,
        passwordHash: '$argon2id$new-secret-hash',
        recipients: recipients(account(accountId)),
      };
      return onAccount(accountId, 'PasswordChanged', data, 'anonymous');
    },
    loginNameRequested(accountId, input) {
      const a = account(accountId);
      const data = {
        requestId: randomUUID(),
        to: input.to ?? a.email,
        loginNames: [a.loginName],
        deliver: input.deliver,
      };
      return onAccount(accountId, 'LoginNameRequested', data, 'anonymous');
    },
    designatedEmailChanged(accountId, email, by = 'system') {
      const a = account(accountId);
      const previousEmail = a.email;
      a.email = email;
      return onAccount(accountId, 'DesignatedEmailChanged', { email, previousEmail, by }, by);
    },
    secondaryEmailAdded(accountId, email, by = 'system') {
      const a = account(accountId);
      const previousEmail = a.secondaryEmail;
      a.secondaryEmail = email;
      return onAccount(
        accountId,
        'SecondaryEmailAdded',
        { email, ...(previousEmail ? { previousEmail } : {}), by },
        by,
      );
    },
    secondaryEmailRemoved(accountId, by = 'system') {
      const a = account(accountId);
      const email = a.secondaryEmail ?? '';
      delete a.secondaryEmail;
      return onAccount(accountId, 'SecondaryEmailRemoved', { email, by }, by);
    },
    emailDelivered(request) {
      const data = { ...emailRequestOf(request), providerMessageId: randomUUID() };
      return onAccount(accountIdOfStream(request.streamName)!, 'EmailDelivered', data);
    },
    emailDeliveryFailed(request, reason = 'Inactive recipient') {
      const data = { ...emailRequestOf(request), errorCode: '406', reason };
      return onAccount(accountIdOfStream(request.streamName)!, 'EmailDeliveryFailed', data);
    },
  };
}
