import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { completeSetup } from '../../core/accounts/onboarding.js';
import { linkInfo, type LinkInfo as CoreLinkInfo } from '../../core/accounts/links.js';
import { processLoginNameRequest, processPasswordResetRequest, resetPassword } from '../../core/accounts/recovery.js';
import { badInput } from '../../core/errors.js';
import { EMAIL_MESSAGE, isEmail, normalizeEmail } from '../../core/validation.js';
import type { GraphQLContext } from '../graphql/context.js';
import { requestOf } from '../users/users.resolver.js';
import {
  CompleteSetupInput,
  CompleteSetupResult,
  LinkInfo,
  LinkStatus,
  ResetPasswordInput,
  ResetVoicemailPinInput,
} from './inputs.js';
import { resetVoicemailPin } from '../../core/accounts/selfService.js';

const toLinkInfo = (info: CoreLinkInfo): LinkInfo => ({
  status: info.status as LinkStatus,
  loginName: info.loginName,
  extension: info.extension,
  expiresAt: info.expiresAt ? new Date(info.expiresAt) : undefined,
});

/** Everything reached from an email, by people who are not signed in. */
@Resolver()
export class LinksResolver {
  @Query(() => LinkInfo, { description: 'state of a "Complete Setup" link' })
  async setupLink(@Arg('token', () => String) token: string, @Ctx() ctx: GraphQLContext): Promise<LinkInfo> {
    return toLinkInfo(await linkInfo(ctx.services.core, 'welcome', token));
  }

  @Query(() => LinkInfo, { description: 'state of a password reset link' })
  async resetLink(@Arg('token', () => String) token: string, @Ctx() ctx: GraphQLContext): Promise<LinkInfo> {
    return toLinkInfo(await linkInfo(ctx.services.core, 'reset', token));
  }

  @Query(() => LinkInfo, { description: 'state of a voicemail PIN reset link' })
  async pinResetLink(@Arg('token', () => String) token: string, @Ctx() ctx: GraphQLContext): Promise<LinkInfo> {
    return toLinkInfo(await linkInfo(ctx.services.core, 'pin-reset', token));
  }

  @Mutation(() => Boolean, {
    description: 'BAD_USER_INPUT (never uses the link), then LINK_EXPIRED / LINK_USED / LINK_INVALID',
  })
  async resetVoicemailPin(
    @Arg('input', () => ResetVoicemailPinInput) input: ResetVoicemailPinInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await resetVoicemailPin(ctx.services.core, requestOf(ctx), input);
    return true;
  }

  @Mutation(() => CompleteSetupResult, {
    description: 'BAD_USER_INPUT (never uses the link), then LINK_EXPIRED / LINK_USED / LINK_INVALID',
  })
  async completeSetup(
    @Arg('input', () => CompleteSetupInput) input: CompleteSetupInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CompleteSetupResult> {
    const { loginName, position } = await completeSetup(ctx.services.core, requestOf(ctx), input);
    await ctx.services.projector.waitFor(position).catch(() => undefined);
    return { loginName };
  }

  @Mutation(() => Boolean, { description: 'ends every session of the user and tells them by email' })
  async resetPassword(
    @Arg('input', () => ResetPasswordInput) input: ResetPasswordInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    // Ending the user's sessions is the projector's reaction to PasswordChanged, not this resolver's.
    const { position } = await resetPassword(ctx.services.core, requestOf(ctx), input);
    await ctx.services.projector.waitFor(position).catch(() => undefined);
    return true;
  }

  @Mutation(() => Boolean, { description: 'true for every well-formed address: nothing tells whether it is known' })
  requestPasswordReset(@Arg('email', () => String) email: string, @Ctx() ctx: GraphQLContext): boolean {
    const address = emailAddress(email);
    ctx.services.background.run('password reset request', () =>
      processPasswordResetRequest(ctx.services.core, requestOf(ctx), address),
    );
    return true;
  }

  @Mutation(() => Boolean, { description: 'true for every well-formed address: nothing tells whether it is known' })
  requestLoginName(@Arg('email', () => String) email: string, @Ctx() ctx: GraphQLContext): boolean {
    const address = emailAddress(email);
    ctx.services.background.run('login name request', () =>
      processLoginNameRequest(ctx.services.core, requestOf(ctx), address),
    );
    return true;
  }
}

/** A malformed address is a typing mistake worth saying; whether it is known is never said. */
function emailAddress(email: string) {
  const address = normalizeEmail(email);
  if (!isEmail(address)) throw badInput({ email: [EMAIL_MESSAGE] });
  return address;
}
