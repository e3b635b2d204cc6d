import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { importUsers } from '../../core/accounts/import/importUsers.js';
import { requireSignedIn } from '../auth/authChecker.js';
import type { GraphQLContext } from '../graphql/context.js';
import { ImportResult, ImportRowStatus } from './import.type.js';
import { requestOf } from './users.resolver.js';

@Resolver()
export class ImportResolver {
  @Authorized('OFFICE_MANAGER')
  @Mutation(() => ImportResult, {
    description:
      'Users from a spreadsheet (CSV: name, extension, email, optional secondary email and role). A problem with the whole file is BAD_USER_INPUT naming csv and creates nothing; each row is judged like createUser.',
  })
  async importUsers(
    @Arg('csv', () => String) csv: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('sendWelcome', () => Boolean, { defaultValue: false }) sendWelcome: boolean,
    @Arg('dryRun', () => Boolean, { defaultValue: false }) dryRun: boolean,
  ): Promise<ImportResult> {
    const actor = requireSignedIn(ctx);
    const outcome = await importUsers(ctx.services.core, requestOf(ctx), actor.organizationId, csv, {
      dryRun,
      sendWelcome,
      maxRows: ctx.services.importMaxRows,
    });
    // The list shows the new users as soon as this answers.
    await ctx.services.projector.waitFor(outcome.position, 30_000).catch(() => undefined);
    return {
      created: outcome.created,
      rejected: outcome.rejected,
      bulkId: outcome.bulkId,
      rows: outcome.rows.map((row) => ({
        line: row.line,
        status: row.status as ImportRowStatus,
        userId: row.userId,
        loginName: row.loginName,
        errors: Object.entries(row.errors).map(([field, messages]) => ({ field, messages })),
      })),
    };
  }
}
