import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
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
  DEACTIVATED = 'DEACTIVATED',
}
export enum EmailDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(Role, { name: 'Role' });
registerEnumType(AccountStatus, {
  name: 'AccountStatus',
  description: 'INVITE_EXPIRED is derived from the link expiry when asked; DEACTIVATED wins over every other',
});
registerEnumType(EmailDeliveryStatus, { name: 'EmailDeliveryStatus' });

@ObjectType()
export class EmailDelivery {
  @Field(() => String, {
    description: 'welcome, reset, login-name, password-changed, email-changed, extension-changed or pin-reset',
  })
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

  @Field(() => Date, { nullable: true, description: 'when the reminder of the current welcome link went out' })
  welcomeReminderSentAt?: Date;

  @Field(() => EmailDelivery, { nullable: true })
  lastEmail?: EmailDelivery;

  @Field(() => Date, { nullable: true, description: 'when the account was deactivated, while it is' })
  deactivatedAt?: Date;

  @Field(() => Boolean, { description: 'erased: no personal data is left ("Erased user", no emails)' })
  erased!: boolean;
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
    welcomeReminderSentAt: date(view.welcomeReminderSentAt),
    deactivatedAt: date(view.deactivatedAt),
    erased: view.erasedAt !== undefined,
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
  // The decided state knows the account is deactivated, not since when; the view will say.
  if (state.deactivated) {
    user.status = AccountStatus.DEACTIVATED;
    return user;
  }
  if (state.status === 'active') user.status = AccountStatus.ACTIVE;
  return user;
}

@ObjectType({ description: 'how many users of the organization are in each status now' })
export class UserStatusCounts {
  @Field(() => Int)
  notInvited!: number;

  @Field(() => Int)
  invited!: number;

  @Field(() => Int)
  inviteExpired!: number;

  @Field(() => Int)
  active!: number;

  @Field(() => Int)
  deactivated!: number;

  @Field(() => Int, { description: 'invited, with less than INVITE_REMINDER_BEFORE left on the link' })
  expiresSoon!: number;
}
