import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum ImportRowStatus {
  CREATED = 'CREATED',
  WOULD_CREATE = 'WOULD_CREATE',
  REJECTED = 'REJECTED',
}
registerEnumType(ImportRowStatus, { name: 'ImportRowStatus' });

@ObjectType({ description: 'what is wrong with one field (a CSV column), in the words createUser uses' })
export class FieldError {
  @Field(() => String, { description: 'the CSV column: name, extension, email, secondary email or role' })
  field!: string;

  @Field(() => [String])
  messages!: string[];
}

@ObjectType()
export class ImportRow {
  @Field(() => Int, { description: 'the line number a spreadsheet shows; the header is line 1' })
  line!: number;

  @Field(() => ImportRowStatus)
  status!: ImportRowStatus;

  @Field(() => ID, { nullable: true })
  userId?: string;

  @Field(() => String, { nullable: true })
  loginName?: string;

  @Field(() => [FieldError])
  errors!: FieldError[];
}

@ObjectType()
export class ImportResult {
  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  rejected!: number;

  @Field(() => [ImportRow])
  rows!: ImportRow[];

  @Field(() => ID, {
    nullable: true,
    description: 'the bulk welcome that followed (sendWelcome); follow it with bulkWelcomeProgress',
  })
  bulkId?: string;
}
