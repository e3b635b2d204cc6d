import { graphql } from '$lib/graphql/graphql';
import { loadQuery } from '$lib/graphql/load';
import type { PageLoad } from './$types';

const OwnProfile = graphql(`
  query OwnProfile {
    me {
      id
      name
      extension
      loginName
      email
      secondaryEmail
      role
    }
  }
`);

export const load: PageLoad = async (event) => {
  event.depends('app:me');
  const data = await loadQuery(event, OwnProfile, {});
  return { me: data.me! };
};
