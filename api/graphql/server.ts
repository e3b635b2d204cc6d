import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../../core/logger.js';
import type { GraphQLContext } from './context.js';
import { createErrorFormatter } from './errorMapping.js';
import { rateLimitStatusPlugin } from './httpStatus.js';
import { defaultQueryLimits, requestLimitPlugin, shapeLimitRules, type QueryLimits } from './limits.js';
import { requestIdPlugin } from './requestIds.js';

export interface GraphQLServerOptions {
  /** off in production; field suggestions ("Did you mean …") go with it, as they describe the schema too */
  introspection: boolean;
  limits?: QueryLimits;
  /** e.g. request metrics */
  plugins?: ApolloServerPlugin<GraphQLContext>[];
}

export function createGraphQLServer(schema: GraphQLSchema, log: Logger, options: GraphQLServerOptions) {
  const limits = options.limits ?? defaultQueryLimits;
  return new ApolloServer<GraphQLContext>({
    schema,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    // Parse cost is bounded before anything else: graphql-js stops at the token limit, so every
    // later step (validation, cost, execution) works on a document of bounded size.
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: shapeLimitRules(limits),
    plugins: [
      // Apollo installs its cache-control plugin unless told not to: a hook on every field of every
      // response, for cache hints this schema never gives (every answer is private and `no-store`).
      ApolloServerPluginCacheControlDisabled(),
      requestLimitPlugin(schema, limits, log),
      requestIdPlugin,
      rateLimitStatusPlugin,
      ...(options.plugins ?? []),
    ],
    formatError: createErrorFormatter(log, { fieldSuggestions: options.introspection }),
    // The process entry points own SIGTERM/SIGINT (finish requests, the batch in flight, release the
    // lease); Apollo's own handlers would race them and keep the process from exiting.
    stopOnTerminationSignals: false,
  });
}
