import type { ApolloServerPlugin } from '@apollo/server';

// Apollo calls the error formatter without the request's context; these are the same error objects
// it hands to `didEncounterErrors`, so the id travels beside them without changing them.
const ids = new WeakMap<object, string>();

/** Remembers which request each error belongs to, so an internal error can be answered and logged with its id. */
export const requestIdPlugin: ApolloServerPlugin<{ requestId?: string }> = {
  async requestDidStart({ contextValue }) {
    return {
      async didEncounterErrors({ errors }) {
        if (contextValue.requestId) for (const error of errors) ids.set(error, contextValue.requestId);
      },
    };
  },
};

/** The id of the request this error came from, when it came through a request with one. */
export const requestIdOfError = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null ? ids.get(error) : undefined;
