import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../../core/logger.js';
import type { GraphQLContext } from './context.js';
import { createErrorFormatter } from './errorMapping.js';
import { costLimitPlugin, defaultQueryLimits, shapeLimitRule, type QueryLimits } from './limits.js';

export interface GraphQLServerOptions {
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
    validationRules: [shapeLimitRule(limits)],
    plugins: [costLimitPlugin(schema, limits), ...(options.plugins ?? [])],
    formatError: createErrorFormatter(log),
    // The process entry points own SIGTERM/SIGINT (finish requests, the batch in flight, release the
    // lease); Apollo's own handlers would race them and keep the process from exiting.
    stopOnTerminationSignals: false,
  });
}
