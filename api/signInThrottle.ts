import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { KeyturnError, rateLimited } from '../core/errors.js';
import type { LimiterFactory, RateLimitSettings } from './rateLimits.js';

/** Who is trying which account from where. */
export interface SignInAttempt {
  /** as typed, normalised: unknown names are throttled like known ones */
  loginName: string;
  clientAddress: string;
  /**
   * The account's credential version (0 when unknown). Part of the per-login-name key, so a
   * password reset starts that budget afresh without any counter being touched.
   */
  credentialVersion: number;
}

export interface SignInThrottle {
  /**
   * Runs `check` (the password check) only if every budget has a point left, consuming the points
   * first: however many requests race, no more checks run than the budgets allow. `check` answers
   * whether the password was right; a right one gives the points back and clears the consecutive
   * count. Rejects with RATE_LIMITED (with `retryAfterSeconds`) without running `check`.
   */
  attempt(who: SignInAttempt, check: () => Promise<boolean>): Promise<boolean>;
}

const DAY_S = 86_400;

/**
 * OWASP "Authentication Cheat Sheet" / NIST SP 800-63B 5.2.2, in rate-limiter-flexible's
 * login-protection shape: three budgets, none of which lets a stranger lock the owner out.
 * - per login name + address: N consecutive failures, then a delay that doubles each round (1 min …
 *   15 min); the owner elsewhere is unaffected;
 * - per address: failures across all login names per hour (password spraying);
 * - per login name everywhere: failures per day; then only a password reset (new credential version).
 */
export function createSignInThrottle(settings: RateLimitSettings, limiter: LimiterFactory): SignInThrottle {
  const consecutive = limiter({ keyPrefix: 'signin-consecutive', points: settings.signInFailures, duration: DAY_S });
  const rounds = limiter({ keyPrefix: 'signin-rounds', points: 1_000_000, duration: DAY_S });
  const perAddress = limiter({ keyPrefix: 'signin-address', points: settings.signInFailuresPerAddressPerHour, duration: 3600 });
  const perLoginName = limiter({ keyPrefix: 'signin-login', points: settings.signInFailuresPerLoginNamePerDay, duration: DAY_S });

  const budgets = (who: SignInAttempt) => {
    const pair = `${who.loginName}|${who.clientAddress}`;
    return [
      { limiter: perAddress, key: who.clientAddress, refused: (ms: number) => rateLimited(ms, 'Too many failed sign-ins from your network.') },
      {
        limiter: perLoginName,
        key: `${who.loginName}|v${who.credentialVersion}`,
        refused: (ms: number) =>
          new KeyturnError(
            'RATE_LIMITED',
            'Too many failed sign-ins for this login name. Reset your password to sign in again.',
            undefined,
            Math.max(1, Math.ceil(ms / 1000)),
          ),
      },
      { limiter: consecutive, key: pair, refused: (ms: number) => rateLimited(ms, 'Too many failed sign-ins.') },
    ] as const;
  };

  const delayOfRound = (round: number) => Math.min(settings.signInBaseDelayMs * 2 ** (round - 1), settings.signInMaxDelayMs);

  async function delayAfterRound(pair: string) {
    const round = await rounds.consume(pair);
    await consecutive.block(pair, Math.ceil(delayOfRound(round.consumedPoints) / 1000));
  }

  /**
   * How long a refused consecutive attempt should wait. Once blocked, the block's own time. Refused
   * while the last checks are still running (no block yet), the key's expiry says nothing useful:
   * the wait is the delay those checks will start if they fail.
   */
  async function consecutiveWaitMs(pair: string, msBeforeNext: number) {
    if (msBeforeNext <= settings.signInMaxDelayMs) return msBeforeNext;
    const done = (await rounds.get(pair))?.consumedPoints ?? 0;
    return delayOfRound(done + 1);
  }

  return {
    async attempt(who, check) {
      const taken: { limiter: RateLimiterAbstract; key: string }[] = [];
      let consecutiveCount = 0;
      for (const budget of budgets(who)) {
        try {
          const res = await budget.limiter.consume(budget.key);
          taken.push(budget);
          if (budget.limiter === consecutive) consecutiveCount = res.consumedPoints;
        } catch (e) {
          // Points taken from the budgets before this one were not used for a check: give them back.
          await Promise.all(taken.map((t) => t.limiter.reward(t.key)));
          if (!(e instanceof RateLimiterRes)) throw e;
          const waitMs = budget.limiter === consecutive ? await consecutiveWaitMs(budget.key, e.msBeforeNext) : e.msBeforeNext;
          throw budget.refused(waitMs);
        }
      }
      const pair = `${who.loginName}|${who.clientAddress}`;
      const ok = await check();
      if (ok) {
        await Promise.all([perAddress.reward(who.clientAddress), perLoginName.reward(`${who.loginName}|v${who.credentialVersion}`)]);
        await Promise.all([consecutive.delete(pair), rounds.delete(pair)]);
      } else if (consecutiveCount === settings.signInFailures) {
        // Exactly one failing attempt took the last point; it starts the delay.
        await delayAfterRound(pair);
      }
      return ok;
    },
  };
}
