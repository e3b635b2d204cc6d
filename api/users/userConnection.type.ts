import { connectionOf } from '../graphql/connection.js';
import { User } from './user.type.js';

export const UserConnection = connectionOf('User', User);
export type UserConnection = InstanceType<typeof UserConnection>;
