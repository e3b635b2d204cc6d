import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { AccountEventType } from '../../core/accounts/events.js';
import type { AuditEntry } from '../../projections/readModel.js';
import { connectionOf } from '../graphql/connection.js';

export enum AuditActorKind {
  ACCOUNT = 'ACCOUNT',
  SYSTEM = 'SYSTEM',
  LINK_HOLDER = 'LINK_HOLDER',
  EMAIL_REQUEST = 'EMAIL_REQUEST',
  ANONYMOUS = 'ANONYMOUS',
}
registerEnumType(AuditActorKind, {
  name: 'AuditActorKind',
  description: 'what kind of actor did it',
  valuesConfig: {
    ACCOUNT: { description: 'a signed-in account; actorName is its name' },
    SYSTEM: { description: 'keyturn itself, e.g. sending an email or recording its delivery' },
    LINK_HOLDER: { description: 'whoever opened the link emailed to the account (completing setup, a password reset)' },
    EMAIL_REQUEST: {
      description:
        'someone not signed in who entered the account’s email address on a public page (Forgot password, ' +
        'Forgot login name); no link was involved and nothing tells who it was',
    },
    ANONYMOUS: { description: 'someone not signed in, by a way this version does not name' },
  },
});

@ObjectType()
export class AuditEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'stored event type, e.g. WelcomeEmailSent' })
  type!: string;

  @Field(() => Date)
  occurredAt!: Date;

  organizationId!: string;
  userId?: string;
  actorId!: string;

  @Field(() => String, { nullable: true, description: 'name of the account the event is about, as it was then' })
  userName?: string;

  @Field(() => String, { nullable: true })
  userExtension?: string;

  @Field(() => AuditActorKind)
  actorKind!: AuditActorKind;

  @Field(() => String, {
    description:
      'who did it: a name, "System", "Link holder" for emailed-link actions, or "Anonymous request" for a ' +
      'request by email address from a public page',
  })
  actorName!: string;

  @Field(() => GraphQLJSONObject, { description: 'event data; passwords and PINs are never included' })
  data!: Record<string, unknown>;
}

export const AuditEventConnection = connectionOf('AuditEvent', AuditEvent);
export type AuditEventConnection = InstanceType<typeof AuditEventConnection>;

/**
 * Every anonymous event is one of these: a request typed into a public page by someone who gave an
 * email address, or a step taken with an emailed link. A new anonymous event type says which here.
 */
const anonymousKinds = {
  ResetRequested: AuditActorKind.EMAIL_REQUEST,
  LoginNameRequested: AuditActorKind.EMAIL_REQUEST,
  // a reset or login-name request past the address's cap: the same anonymous request, refused
  EmailWithheld: AuditActorKind.EMAIL_REQUEST,
  SetupCompleted: AuditActorKind.LINK_HOLDER,
  PasswordChanged: AuditActorKind.LINK_HOLDER,
} satisfies Partial<Record<AccountEventType, AuditActorKind>>;

const kindOf = (entry: AuditEntry): AuditActorKind => {
  if (entry.actorId === 'system') return AuditActorKind.SYSTEM;
  if (entry.actorId !== 'anonymous') return AuditActorKind.ACCOUNT;
  return (anonymousKinds as Record<string, AuditActorKind>)[entry.type] ?? AuditActorKind.ANONYMOUS;
};

const names: Record<Exclude<AuditActorKind, AuditActorKind.ACCOUNT>, string> = {
  SYSTEM: 'System',
  LINK_HOLDER: 'Link holder',
  EMAIL_REQUEST: 'Anonymous request',
  ANONYMOUS: 'Anonymous',
};

/**
 * The projection keeps only this organization's login names in `loginNames`; `pendingLoginNames`
 * (newer than that filter) is cut down to the same names here, so no other organization's shows.
 */
function dataOf(entry: AuditEntry): Record<string, unknown> {
  const { data } = entry;
  if (entry.type !== 'LoginNameRequested' || !('pendingLoginNames' in data)) return data;
  const own = new Set(Array.isArray(data.loginNames) ? data.loginNames : []);
  const pending = Array.isArray(data.pendingLoginNames) ? data.pendingLoginNames : [];
  return { ...data, pendingLoginNames: pending.filter((name) => own.has(name)) };
}

export function toAuditEvent(entry: AuditEntry): AuditEvent {
  const actorKind = kindOf(entry);
  return Object.assign(new AuditEvent(), {
    id: entry.id,
    type: entry.type,
    occurredAt: new Date(entry.occurredAt),
    organizationId: entry.organizationId,
    userId: entry.accountId,
    actorId: entry.actorId,
    userName: entry.accountName,
    userExtension: entry.accountExtension,
    actorKind,
    actorName: actorKind === AuditActorKind.ACCOUNT ? (entry.actorName ?? 'Unknown') : names[actorKind],
    data: dataOf(entry),
  });
}
