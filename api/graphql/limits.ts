import {
  GraphQLError,
  type ASTVisitor,
  type ValidationContext,
  Kind,
  type SelectionSetNode,
  type FragmentDefinitionNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

export const defaultQueryLimits: QueryLimits = {
  maxDepth: 8,
  maxAliases: 20,
  maxCost: 5000,
};

const limitError = (message: string) =>
  new GraphQLError(message, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });

function depthOf(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  if (!set) return 0;
  let max = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      max = Math.max(max, selection.selectionSet ? 1 + depthOf(selection.selectionSet, fragments, seen) : 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(selection.selectionSet, fragments, seen));
    } else {
      const name = selection.name.value;
      if (seen.has(name)) continue;
      max = Math.max(max, depthOf(fragments[name]?.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return max;
}

/** Depth and alias limits: cheap guards against queries written to exhaust the server. */
export function shapeLimitRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias && ++aliases === limits.maxAliases + 1) {
          context.reportError(limitError(`A query may use at most ${limits.maxAliases} aliases.`));
        }
      },
      OperationDefinition(node) {
        const fragments = Object.fromEntries(
          context
            .getDocument()
            .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
            .map((d) => [d.name.value, d]),
        );
        if (depthOf(node.selectionSet, fragments, new Set()) > limits.maxDepth) {
          context.reportError(limitError(`A query may nest at most ${limits.maxDepth} levels.`));
        }
      },
    };
  };
}

/**
 * Cost: every field costs 1 and a list costs its `first` argument times its children. Computed per
 * request (it needs the variables), as an Apollo plugin.
 */
export function costLimitPlugin(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: request.operationName,
              variables: request.variables ?? {},
              estimators: [
                fieldExtensionsEstimator(),
                ({ args, childComplexity }) =>
                  typeof args.first === 'number' ? 1 + childComplexity * Math.max(args.first, 1) : undefined,
                simpleEstimator({ defaultComplexity: 1 }),
              ],
            });
          } catch {
            // Missing or mistyped variables: execution reports them as BAD_USER_INPUT in words.
            return;
          }
          if (cost > limits.maxCost) {
            throw limitError(
              `This query asks for too much at once (cost ${cost}, at most ${limits.maxCost}). Ask for fewer items.`,
            );
          }
        },
      };
    },
  };
}
