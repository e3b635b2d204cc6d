import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { OpenAccountState } from '../../core/accounts/account.js';
import type { UserView } from '../../projections/readModel.js';
import { statusOf } from '../../projections/readModel.js';

export enum Role {
  OFFICE_MANAGER = 'OFFICE_MANAGER',
  USER = 'USER',
  AUDITOR = 'AUDITOR',
}
export enum AccountStatus {
  NOT_INVITED = 'NOT_INVITED',
  INVITED = 'INVITED',
  INVITE_EXPIRED = 'INVITE_EXPIRED',
  ACTIVE = 'ACTIVE',
}
export enum EmailDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(Role, { name: 'Role' });
registerEnumType(AccountStatus, { name: 'AccountStatus', description: 'INVITE_EXPIRED is derived from the link expiry when asked' });
registerEnumType(EmailDeliveryStatus, { name: 'EmailDeliveryStatus' });

@ObjectType()
export class EmailDelivery {
  @Field(() => String, { description: 'welcome, reset, login-name or password-changed' })
  kind!: string;

  @Field(() => EmailDeliveryStatus)
  status!: EmailDeliveryStatus;

  @Field(() => [String])
  to!: string[];

  @Field(() => Date, { nullable: true })
  at?: Date;

  @Field(() => String, { nullable: true, description: 'why the provider refused or bounced it' })
  error?: string;
}

@ObjectType('User')
export class User {
  @Field(() => ID)
  id!: string;

  organizationId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  extension!: string;

  @Field(() => String, { description: '<extension>@<organization domain>' })
  loginName!: string;

  @Field(() => String, { description: 'designated email' })
  email!: string;

  @Field(() => String, { nullable: true })
  secondaryEmail?: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => AccountStatus)
  status!: AccountStatus;

  @Field(() => Date, { nullable: true })
  welcomeEmailSentAt?: Date;

  @Field(() => Date, { nullable: true })
  setupLinkExpiresAt?: Date;

  @Field(() => Date, { nullable: true })
  setupCompletedAt?: Date;

  @Field(() => EmailDelivery, { nullable: true })
  lastEmail?: EmailDelivery;
}

const date = (iso: string | undefined) => (iso ? new Date(iso) : undefined);

export function toUser(view: UserView, now: Date): User {
  return Object.assign(new User(), {
    id: view.id,
    organizationId: view.organizationId,
    name: view.name,
    extension: view.extension,
    loginName: view.loginName,
    email: view.email,
    secondaryEmail: view.secondaryEmail,
    role: view.role as Role,
    status: statusOf(view, now) as AccountStatus,
    welcomeEmailSentAt: date(view.welcomeEmailSentAt),
    setupLinkExpiresAt: date(view.setupLinkExpiresAt),
    setupCompletedAt: date(view.setupCompletedAt),
    lastEmail: view.lastEmail && {
      kind: view.lastEmail.kind,
      status: view.lastEmail.status as EmailDeliveryStatus,
      to: view.lastEmail.to,
      at: date(view.lastEmail.at),
      error: view.lastEmail.error,
    },
  });
}

/**
 * The user as the write side decided it, for the moments the read model has not caught up: the
 * fields the account's own stream knows, nothing about emails.
 */
export function userOfAccount(state: OpenAccountState, now: Date): User {
  const view: UserView = {
    id: state.id,
    organizationId: state.organizationId,
    name: state.name,
    extension: state.extension,
    loginName: state.loginName,
    email: state.email,
    secondaryEmail: state.secondaryEmail,
    role: state.role,
    setupLinkExpiresAt: state.invite?.expiresAt,
    revision: -1,
  };
  const user = toUser(view, now);
  if (state.status === 'active') user.status = AccountStatus.ACTIVE;
  return user;
}
