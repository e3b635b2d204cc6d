import type { Client } from '@urql/core';
import { graphql, type ResultOf } from '$lib/graphql/graphql';

const BulkProgress = graphql(`
  query BulkWelcomeProgress($bulkId: ID!) {
    bulkWelcomeProgress(bulkId: $bulkId) {
      total
      pending
      delivered
      failed
    }
  }
`);

export type WelcomeProgress = ResultOf<typeof BulkProgress>['bulkWelcomeProgress'];

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows the welcome emails of one bulk action (Bulk Action, an import). The mutation returns once
 * the emails are recorded; the reactor sends them just after. Polls until none is pending, for at
 * most `forMs`, then leaves it to the list (each row shows its last email): `stillSending`. Stops as
 * soon as `stopped()` says nobody is watching (the dialog closed).
 */
export async function followBulkWelcome(
  client: Client,
  bulkId: string,
  {
    onProgress,
    stopped,
    forMs = 60_000,
  }: { onProgress: (progress: WelcomeProgress) => void; stopped: () => boolean; forMs?: number },
): Promise<{ stillSending: boolean }> {
  const until = Date.now() + forMs;
  while (!stopped() && Date.now() < until) {
    const answer = await client.query(BulkProgress, { bulkId }).toPromise();
    if (answer.data) {
      onProgress(answer.data.bulkWelcomeProgress);
      if (answer.data.bulkWelcomeProgress.pending === 0) return { stillSending: false };
    }
    await wait(500);
  }
  return { stillSending: true };
}
