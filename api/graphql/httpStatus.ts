import type { ApolloServerPlugin } from '@apollo/server';

/**
 * An answer that is only "slow down" is HTTP 429 with `Retry-After`, so a client, a proxy or a
 * script's HTTP library can wait without reading GraphQL errors. Any other error among them (or
 * data alongside) keeps Apollo's status: the answer is then not only a refusal.
 */
export const rateLimitStatusPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const { errors, data } = response.body.singleResult;
        if (!errors?.length) return;
        let seconds = 0;
        for (const error of errors) {
          const after = error.extensions?.retryAfterSeconds;
          if (error.extensions?.code !== 'RATE_LIMITED' || typeof after !== 'number') return;
          seconds = Math.max(seconds, after);
        }
        if (data && Object.values(data).some((value) => value !== null)) return;
        response.http.status = 429;
        response.http.headers.set('retry-after', String(seconds));
      },
    };
  },
};
