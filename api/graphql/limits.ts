import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { Logger } from '../../core/logger.js';
import { boundedCache } from './boundedCache.js';

/** Every default is documented in the README ("Limits"). */
export interface QueryLimits {
  /** graphql-js stops parsing past this many tokens: the first and cheapest bound on everything after it */
  maxTokens: number;
  /** operation definitions in one document; more than one only with `operationName` */
  maxOperations: number;
  maxFragments: number;
  maxDirectives: number;
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

export const defaultQueryLimits: QueryLimits = {
  // The UI's biggest operation has about 70 tokens, the full introspection query about 180.
  maxTokens: 2000,
  maxOperations: 5,
  maxFragments: 50,
  maxDirectives: 20,
  maxDepth: 8,
  maxAliases: 20,
  maxCost: 5000,
};

type Limit = 'tokens' | 'operations' | 'fragments' | 'directives' | 'depth' | 'aliases' | 'cost';

/**
 * A refusal: HTTP 400 (Apollo gives validation errors 400; `http` covers the ones thrown from
 * plugins, which it would otherwise answer 500). `limit` lets the log say which one; the error
 * formatter keeps only `code`.
 */
const limitError = (limit: Limit, message: string, code = 'GRAPHQL_VALIDATION_FAILED') =>
  new GraphQLError(message, { extensions: { code, limit, http: { status: 400 } } });

/** The limit an error stands for, if it is one of ours (or graphql-js's token limit). */
export function limitOf(error: GraphQLError): Limit | undefined {
  const limit = error.extensions.limit ?? (error.originalError as GraphQLError | undefined)?.extensions?.limit;
  if (typeof limit === 'string') return limit as Limit;
  // graphql-js 16 writes "more that"; accept the corrected spelling too
  return /^Syntax Error: Document contains more tha[nt] \d+ tokens/.test(error.message) ? 'tokens' : undefined;
}

/** Fragment definitions, counted once from the document's top level: linear. */
function fragmentCountRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document(node) {
      const fragments = node.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).length;
      if (fragments > limits.maxFragments) {
        context.reportError(limitError('fragments', `A query may define at most ${limits.maxFragments} fragments.`));
      }
    },
  });
}

/**
 * GraphQL Armor's rules walk each operation once and remember each fragment's count, so they are
 * linear in the document. They report through `onReject`, once per document, instead of throwing:
 * a throw out of `validate` is an internal error (HTTP 500) to Apollo.
 */
function once(limit: Limit, message: string, rule: (onReject: () => void) => ValidationRule): ValidationRule {
  return (context) => {
    let reported = false;
    return rule(() => {
      if (reported) return;
      reported = true;
      context.reportError(limitError(limit, message));
    })(context);
  };
}

/** Validation rules, in the order they matter to a reader; graphql-js runs them in one pass. */
export function shapeLimitRules(limits: QueryLimits): ValidationRule[] {
  const armor = { propagateOnRejection: false, exposeLimits: false } as const;
  return [
    fragmentCountRule(limits),
    once('directives', `A query may use at most ${limits.maxDirectives} directives.`, (reject) =>
      maxDirectivesRule({ ...armor, n: limits.maxDirectives, onReject: [reject] }),
    ),
    // Fragments do not add a level: the depth is the one of the answer.
    once('depth', `A query may nest at most ${limits.maxDepth} levels.`, (reject) =>
      maxDepthRule({ ...armor, n: limits.maxDepth, flattenFragments: true, onReject: [reject] }),
    ),
    once('aliases', `A query may use at most ${limits.maxAliases} aliases.`, (reject) =>
      maxAliasesRule({ ...armor, n: limits.maxAliases, onReject: [reject] }),
    ),
  ];
}

/** Costs remembered per process: the UI sends the same few documents over and over. */
const COST_CACHE_ENTRIES = 1000;
/** a longer document (or variable) is priced every time: the cache holds at most ~1000 × 8 KB */
const MAX_COST_KEY_CHARS = 8 * 1024;

/**
 * The cost depends on the document text, the operation picked and the variables (`first: $n`), so
 * all three make the key. Only variables of plain scalar values are keyed; anything else (an input
 * object, a list, a spreadsheet) is priced afresh, so no request ever gets another's price.
 */
function costKey(
  query: string,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
) {
  if (query.length > MAX_COST_KEY_CHARS) return undefined;
  let key = `${operationName ?? ''}\u0000${query}`;
  for (const [name, value] of Object.entries(variables ?? {})) {
    const plain =
      value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string';
    if (!plain) return undefined;
    key += `\u0000${name}=${JSON.stringify(value)}`;
    if (key.length > MAX_COST_KEY_CHARS) return undefined;
  }
  return key;
}

/**
 * What needs the request, not just the document: which operation (`operationName`) and its cost.
 * Operations: one per request, or up to `maxOperations` of which `operationName` picks one (a client
 * that keeps its operations in one file); validation has seen them all by then, but the token limit
 * keeps that cheap.
 * Cost: every field costs 1 and a list costs its `first` argument times its children. Refusals are
 * logged at info with the request id: a client's mistake, not a fault.
 */
export function requestLimitPlugin(
  schema: GraphQLSchema,
  limits: QueryLimits,
  log: Logger,
): ApolloServerPlugin<{ requestId?: string }> {
  const costs = boundedCache<number>({ maxEntries: COST_CACHE_ENTRIES });
  const priced = (document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>) =>
    getComplexity({
      schema,
      query: document,
      operationName,
      variables,
      estimators: [
        fieldExtensionsEstimator(),
        ({ args, childComplexity }) =>
          typeof args.first === 'number' ? 1 + childComplexity * Math.max(args.first, 1) : undefined,
        simpleEstimator({ defaultComplexity: 1 }),
      ],
    });
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const limit = limitOf(error);
            if (limit) log.info({ requestId: contextValue.requestId, limit, reason: error.message }, 'query refused');
          }
        },
        async didResolveOperation({ request, document, operation, source }) {
          const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
          if (operations > limits.maxOperations) {
            throw limitError(
              'operations',
              `A request may hold at most ${limits.maxOperations} operations; send them one at a time.`,
              'BAD_REQUEST',
            );
          }
          if (operations > 1 && !request.operationName) {
            throw limitError(
              'operations',
              `This request holds ${operations} operations: name the one to run in operationName.`,
              'BAD_REQUEST',
            );
          }
          // graphql-js validates a subscription against a schema without any, then fails to execute it
          // as if it were our fault; it is the client's.
          if (operation && !schema.getRootType(operation.operation)) {
            throw new GraphQLError(`This service has no ${operation.operation} operations.`, {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          const key = costKey(source, request.operationName, request.variables);
          let cost = key === undefined ? undefined : costs.get(key, 0);
          if (cost === undefined) {
            try {
              cost = priced(document, request.operationName, request.variables ?? {});
            } catch {
              // Missing or mistyped variables: execution reports them as BAD_USER_INPUT in words.
              return;
            }
            if (key !== undefined) costs.set(key, cost, 0);
          }
          if (cost > limits.maxCost) {
            throw limitError(
              'cost',
              `This query asks for too much at once (cost ${cost}, at most ${limits.maxCost}). Ask for fewer items.`,
            );
          }
        },
      };
    },
  };
}
