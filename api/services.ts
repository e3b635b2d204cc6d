import type { CoreDeps } from '../core/context.js';
import type { RecoveryDeps } from '../core/accounts/recovery.js';
import type { LifecycleDeps } from '../core/accounts/movers.js';
import type { Logger } from '../core/logger.js';
import type { Projector } from '../projections/projector.js';
import type { ReadModel } from '../projections/readModel.js';
import type { RateLimits } from './rateLimits.js';
import type { BackgroundTasks } from './background.js';

/** Everything a resolver may use, built once in the composition root and handed over in the context. */
export interface AppServices {
  core: CoreDeps & RecoveryDeps & LifecycleDeps;
  readModel: ReadModel;
  projector: Projector;
  limits: RateLimits;
  background: BackgroundTasks;
  log: Logger;
  sessionTtlMs: number;
  /** largest bulk action accepted in one request */
  maxBulk: number;
  /** rows one spreadsheet import may hold */
  importMaxRows: number;
  /** a welcome link with less than this left "expires soon" (INVITE_REMINDER_BEFORE) */
  expiresSoonMs: number;
}
