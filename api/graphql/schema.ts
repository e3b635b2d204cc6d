import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AuditResolver } from '../audit/audit.resolver.js';
import { AuthResolver } from '../auth/auth.resolver.js';
import { authChecker } from '../auth/authChecker.js';
import { LinksResolver } from '../onboarding/links.resolver.js';
import { UsersResolver } from '../users/users.resolver.js';
import { scalarsMap } from './scalars.js';

let built: Promise<GraphQLSchema> | undefined;

/** Built once per process: type-graphql's metadata is global, the schema is immutable. */
export function keyturnSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [AuthResolver, UsersResolver, LinksResolver, AuditResolver],
    authChecker,
    authMode: 'error',
    scalarsMap,
    validate: { forbidUnknownValues: false, stopAtFirstError: false },
  });
  return built;
}
