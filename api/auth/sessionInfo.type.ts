import { Field, ID, ObjectType } from 'type-graphql';
import type { SessionRecord } from '../../projections/readModel.js';

/** One of the signed-in user's sessions, as they see it. Nothing here lets anyone use the session. */
@ObjectType('SessionInfo')
export class SessionInfo {
  @Field(() => ID, { description: 'random, not derived from the token; what `revokeSession` takes' })
  id!: string;

  @Field(() => Date, { description: 'when it was signed in' })
  createdAt!: Date;

  @Field(() => Date, { description: 'when a request last used it, to within a minute' })
  lastSeenAt!: Date;

  @Field(() => String, { description: 'the browser and system it was signed in from, e.g. "Firefox on Linux"' })
  userAgent!: string;

  @Field(() => Boolean, { description: 'the session of this request' })
  current!: boolean;
}

/** Field by field, so a token hash can never ride along into an answer. */
export const toSessionInfo = (session: SessionRecord, currentId: string | undefined): SessionInfo => ({
  id: session.id,
  createdAt: new Date(session.createdAt),
  lastSeenAt: new Date(session.lastSeenAt),
  userAgent: session.userAgent,
  current: session.id === currentId,
});
