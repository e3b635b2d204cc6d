import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AuditResolver } from '../audit/audit.resolver.js';
import { AuthResolver } from '../auth/auth.resolver.js';
import { authChecker } from '../auth/authChecker.js';
import { MySessionsResolver } from '../auth/mySessions.resolver.js';
import { LinksResolver } from '../onboarding/links.resolver.js';
import { UsersResolver } from '../users/users.resolver.js';
import { LifecycleResolver } from '../users/lifecycle.resolver.js';
import { ImportResolver } from '../users/import.resolver.js';
import { CredentialsResolver } from '../auth/credentials.resolver.js';
import { scalarsMap } from './scalars.js';

let built: Promise<GraphQLSchema> | undefined;

/** Built once per process: type-graphql's metadata is global, the schema is immutable. */
export function keyturnSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [
      AuthResolver,
      MySessionsResolver,
      CredentialsResolver,
      UsersResolver,
      LifecycleResolver,
      ImportResolver,
      LinksResolver,
      AuditResolver,
    ],
    authChecker,
    authMode: 'error',
    scalarsMap,
    validate: { forbidUnknownValues: false, stopAtFirstError: false },
  });
  return built;
}
