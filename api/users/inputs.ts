import { IsEmail, IsIn, IsOptional, Length, Matches, MaxLength, ArrayMaxSize } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { EXTENSION_MESSAGE, EXTENSION_PATTERN, EMAIL_MAX_LENGTH, NAME_MAX_LENGTH } from '../../core/validation.js';
import { AccountStatus, Role } from './user.type.js';

const EMAIL_WORDS = { message: 'Enter an email address like name@example.com.' };

@InputType()
export class CreateUserInput {
  @Field(() => String)
  @Length(1, NAME_MAX_LENGTH, { message: `Enter a name of 1 to ${NAME_MAX_LENGTH} characters.` })
  name!: string;

  @Field(() => String, { description: '2–10 digits, unique in the organization' })
  @Matches(EXTENSION_PATTERN, { message: EXTENSION_MESSAGE })
  extension!: string;

  @Field(() => String, { description: 'designated email' })
  @MaxLength(EMAIL_MAX_LENGTH, EMAIL_WORDS)
  @IsEmail({}, EMAIL_WORDS)
  email!: string;

  @Field(() => Role, { defaultValue: Role.USER })
  @IsIn(Object.values(Role), { message: 'Choose a role: office manager, user or auditor.' })
  role!: Role;
}

@InputType()
export class UserFilter {
  @Field(() => String, { nullable: true, description: 'name (any part, any case) or extension (prefix)' })
  @IsOptional()
  @MaxLength(100, { message: 'Search for at most 100 characters.' })
  search?: string;

  @Field(() => [AccountStatus], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(5)
  status?: AccountStatus[];

  @Field(() => Boolean, {
    nullable: true,
    description: 'only invited users whose link expires within INVITE_REMINDER_BEFORE',
  })
  @IsOptional()
  expiresSoon?: boolean;
}

@InputType({ description: 'only the fields given change' })
export class UpdateUserInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, NAME_MAX_LENGTH, { message: `Enter a name of 1 to ${NAME_MAX_LENGTH} characters.` })
  name?: string;

  @Field(() => Role, { nullable: true })
  @IsOptional()
  @IsIn(Object.values(Role), { message: 'Choose a role: office manager, user or auditor.' })
  role?: Role;
}
