import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { changeOwnPassword, changeOwnPin } from '../../core/accounts/selfService.js';
import type { GraphQLContext } from '../graphql/context.js';
import { requestOf } from '../users/users.resolver.js';
import { signInGuard } from './auth.resolver.js';
import { ChangePasswordInput, ChangeVoicemailPinInput } from './credentials.inputs.js';

/** A signed-in user's own password and PIN; a wrong current password counts as a failed sign-in. */
@Resolver()
export class CredentialsResolver {
  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'INVALID_CREDENTIALS when currentPassword is wrong; every other session ends (this one stays), reset links die, and the user is told by email',
  })
  async changePassword(
    @Arg('input', () => ChangePasswordInput) input: ChangePasswordInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    // The other sessions end by the projector's reaction to PasswordChanged; waiting makes the answer true.
    const { position } = await changeOwnPassword(
      ctx.services.core,
      requestOf(ctx),
      input,
      ctx.sessionId,
      signInGuard(ctx),
    );
    await ctx.services.projector.waitFor(position).catch(() => undefined);
    return true;
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'INVALID_CREDENTIALS when currentPassword is wrong; the PIN rules as at setup',
  })
  async changeVoicemailPin(
    @Arg('input', () => ChangeVoicemailPinInput) input: ChangeVoicemailPinInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await changeOwnPin(ctx.services.core, requestOf(ctx), input, signInGuard(ctx));
    return true;
  }
}
