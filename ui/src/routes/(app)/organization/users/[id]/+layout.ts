import { graphql } from '$lib/graphql/graphql';
import { loadQuery } from '$lib/graphql/load';
import type { LayoutLoad } from './$types';

const User = graphql(`
  query User($id: ID!) {
    user(id: $id) {
      id
      name
      extension
      loginName
      email
      secondaryEmail
      role
      status
      erased
      deactivatedAt
      welcomeEmailSentAt
      setupLinkExpiresAt
      welcomeReminderSentAt
      setupCompletedAt
      lastEmail {
        kind
        status
        to
        at
        error
      }
    }
  }
`);

export const load: LayoutLoad = async (event) => {
  event.depends('app:user');
  const data = await loadQuery(event, User, { id: event.params.id });
  // The API answers NOT_FOUND rather than null, for other organizations' users too.
  return { subject: data.user! };
};
