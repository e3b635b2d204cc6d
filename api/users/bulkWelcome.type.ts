import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class SkippedUser {
  @Field(() => ID)
  userId!: string;

  @Field(() => String)
  reason!: string;
}

@ObjectType()
export class BulkWelcomeResult {
  @Field(() => ID)
  bulkId!: string;

  @Field(() => Int, { description: 'welcome emails recorded; they go out right after' })
  sent!: number;

  @Field(() => [SkippedUser])
  skipped!: SkippedUser[];
}

@ObjectType({ description: 'what a bulk action did: how many users it changed, and why it left the others' })
export class BulkResult {
  @Field(() => Int)
  done!: number;

  @Field(() => [SkippedUser])
  skipped!: SkippedUser[];
}

@ObjectType()
export class BulkProgress {
  @Field(() => Int)
  total!: number;

  @Field(() => Int)
  pending!: number;

  @Field(() => Int)
  delivered!: number;

  @Field(() => Int)
  failed!: number;
}
