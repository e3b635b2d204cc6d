import { MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { PASSWORD_MAX_LENGTH } from '../../core/accounts/passwordPolicy.js';

// Shape limits only: the password and PIN rules are the core's, so one answer names every rule missed.
@InputType()
export class ChangePasswordInput {
  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH * 4, { message: 'The current password is not right.' })
  currentPassword!: string;

  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH * 4, { message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` })
  password!: string;

  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH * 4, { message: 'The passwords do not match.' })
  confirmPassword!: string;
}

@InputType()
export class ChangeVoicemailPinInput {
  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH * 4, { message: 'The current password is not right.' })
  currentPassword!: string;

  @Field(() => String, { description: 'voicemail PIN: 4–16 digits, not your extension' })
  @MaxLength(64, { message: 'Use at most 16 digits.' })
  voicemailPin!: string;
}
