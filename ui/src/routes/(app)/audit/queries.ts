import { graphql } from '$lib/graphql/graphql';

/** Shared by the page load, "Show more" and the CSV export, so all three read the same filter. */
export const AuditEventsQuery = graphql(`
  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      totalCount
      edges {
        node {
          id
          type
          occurredAt
          actorName
          userName
          userExtension
          data
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
