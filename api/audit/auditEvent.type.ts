import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { AuditEntry } from '../../projections/readModel.js';
import { connectionOf } from '../graphql/connection.js';

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

  @Field(() => String, { description: 'who did it: a name, "System", or "Link holder" for emailed-link actions' })
  actorName!: string;

  @Field(() => GraphQLJSONObject, { description: 'event data; passwords and PINs are never included' })
  data!: Record<string, unknown>;
}

export const AuditEventConnection = connectionOf('AuditEvent', AuditEvent);
export type AuditEventConnection = InstanceType<typeof AuditEventConnection>;

const actorNameOf = (entry: AuditEntry) =>
  entry.actorName ?? (entry.actorId === 'system' ? 'System' : entry.actorId === 'anonymous' ? 'Link holder' : 'Unknown');

export function toAuditEvent(entry: AuditEntry): AuditEvent {
  return Object.assign(new AuditEvent(), {
    id: entry.id,
    type: entry.type,
    occurredAt: new Date(entry.occurredAt),
    organizationId: entry.organizationId,
    userId: entry.accountId,
    actorId: entry.actorId,
    userName: entry.accountName,
    userExtension: entry.accountExtension,
    actorName: actorNameOf(entry),
    data: entry.data,
  });
}
