import { Length, MaxLength } from 'class-validator';
import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { PASSWORD_MAX_LENGTH } from '../../core/accounts/passwordPolicy.js';

// Shape limits only; every password and PIN rule is checked by the core so that the field
// errors name all the rules a person missed, in one answer.
@InputType()
abstract class NewPasswordInput {
  @Field(() => String, { description: 'the token from the emailed link' })
  @Length(1, 200, { message: 'The link is incomplete. Open it again from the email.' })
  token!: string;

  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH * 4, { message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` })
  password!: string;

  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH * 4, { message: 'The passwords do not match.' })
  confirmPassword!: string;
}

@InputType()
export class CompleteSetupInput extends NewPasswordInput {
  @Field(() => String, { description: 'voicemail PIN: 4–16 digits' })
  @MaxLength(64, { message: 'Use at most 16 digits.' })
  voicemailPin!: string;
}

@InputType()
export class ResetPasswordInput extends NewPasswordInput {}

@InputType()
export class ResetVoicemailPinInput {
  @Field(() => String, { description: 'the token from the emailed link' })
  @Length(1, 200, { message: 'The link is incomplete. Open it again from the email.' })
  token!: string;

  @Field(() => String, { description: 'voicemail PIN: 4–16 digits' })
  @MaxLength(64, { message: 'Use at most 16 digits.' })
  voicemailPin!: string;
}

@ObjectType()
export class CompleteSetupResult {
  @Field(() => String, { description: 'sign in with this' })
  loginName!: string;
}

export enum LinkStatus {
  VALID = 'VALID',
  EXPIRED = 'EXPIRED',
  USED = 'USED',
  INVALID = 'INVALID',
}
registerEnumType(LinkStatus, { name: 'LinkStatus' });

@ObjectType({ description: 'what a link page shows before the form is sent; looking consumes nothing' })
export class LinkInfo {
  @Field(() => LinkStatus)
  status!: LinkStatus;

  @Field(() => String, { nullable: true })
  loginName?: string;

  @Field(() => String, { nullable: true, description: 'for the PIN rule "not your extension"' })
  extension?: string;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date;
}
