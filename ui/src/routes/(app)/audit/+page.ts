import { graphql } from '$lib/graphql/graphql';
import { loadQuery, loadQueryOrProblem } from '$lib/graphql/load';
import { AuditEventsQuery } from './queries';
import { apiFilter, readFilter } from './filter';
import type { PageLoad } from './$types';

const UserName = graphql(`
  query AuditUserName($id: ID!) {
    user(id: $id) {
      id
      name
      extension
    }
  }
`);

export const load: PageLoad = async (event) => {
  const filter = readFilter(event.url);
  if (filter.from && filter.to && filter.from > filter.to) {
    return { filter, subject: null, events: null, problem: 'The start date must be on or before the end date.' };
  }
  // A history that cannot be read now is said in the page, with the filters still there.
  const [events, subject] = await Promise.all([
    loadQueryOrProblem(event, AuditEventsQuery, { filter: apiFilter(filter), first: 50 }),
    filter.user ? loadQuery(event, UserName, { id: filter.user }).then((d) => d.user) : Promise.resolve(null),
  ]);
  return { filter, subject, events: events.data?.auditEvents ?? null, problem: events.problem?.message ?? null };
};
