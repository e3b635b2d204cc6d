import { COUNT_CAP } from '../../projections/users/userSearch.js';
import { connectionOf } from '../graphql/connection.js';
import { User } from './user.type.js';

export const UserConnection = connectionOf('User', User, {
  totalCountIsExact: `false when more than ${COUNT_CAP} users match: totalCount is then ${COUNT_CAP}, to be shown as "${COUNT_CAP.toLocaleString('en')}+"`,
});
export type UserConnection = InstanceType<typeof UserConnection>;
