import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { EventStore } from '../../core/eventStore/eventStore.js';
import { recordProviderReport } from '../../core/email/providerReports.js';
import type { Logger } from '../../core/logger.js';
import { parsePostmarkPayload } from './postmarkPayload.js';

export const POSTMARK_WEBHOOK_PATH = '/webhooks/postmark';

export interface PostmarkWebhookDeps {
  store: EventStore;
  clock: () => Date;
  log: Logger;
  /** basic-auth credentials configured on the Postmark webhook; the route answers 404 without them */
  credentials?: { user: string; password: string };
  /** each payload's record type and what became of it (metrics) */
  onOutcome?: (recordType: string, outcome: string) => void;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Compares digests, so the time taken says nothing about how much of the secret matched. */
function basicAuthCheck(credentials: { user: string; password: string }) {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  return (header: string | undefined) => {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header?.trim() ?? '');
    const given = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    return timingSafeEqual(digest(given), expected) && match !== null;
  };
}

/**
 * `POST /webhooks/postmark`: Delivery, Bounce and SpamComplaint reports become `EmailDelivered`,
 * `EmailBounced` and `EmailComplained` on the account stream. Postmark retries anything but a 2xx,
 * so only a body we cannot read answers 400; reports we do not record (other record types, other
 * senders' messages, unknown accounts or emails, repeats) answer 200 and are logged.
 */
export function postmarkWebhook(deps: PostmarkWebhookDeps): Router {
  const router = Router();
  const credentials = deps.credentials;
  if (!credentials) {
    router.all(POSTMARK_WEBHOOK_PATH, (_req, res) => {
      res.status(404).json({ error: 'not_found', message: 'Postmark webhooks are not configured.' });
    });
    return router;
  }
  const authorized = basicAuthCheck(credentials);
  const outcome = (recordType: string | undefined, result: string) => deps.onOutcome?.(recordType ?? 'unknown', result);

  const checkAuth: RequestHandler = (req, res, next) => {
    // Checked before the body is even read.
    if (authorized(req.headers.authorization)) return next();
    deps.log.warn({ path: POSTMARK_WEBHOOK_PATH }, 'postmark webhook refused: bad credentials');
    outcome(undefined, 'unauthorized');
    res.setHeader('www-authenticate', 'Basic realm="keyturn webhooks", charset="UTF-8"');
    res.status(401).json({ error: 'unauthorized' });
  };

  const handle: RequestHandler = async (req, res, next) => {
    try {
      const parsed = parsePostmarkPayload(req.body);
      if (parsed.kind === 'malformed') {
        deps.log.warn(
          { recordType: parsed.recordType, problems: parsed.problems },
          'postmark webhook refused: malformed payload',
        );
        outcome(parsed.recordType, 'malformed');
        res.status(400).json({ error: 'malformed', problems: parsed.problems });
        return;
      }
      if (parsed.kind === 'ignored') {
        deps.log.info({ recordType: parsed.recordType, reason: parsed.reason }, 'postmark webhook ignored');
        outcome(parsed.recordType, 'ignored');
        res.json({ status: 'ignored', reason: parsed.reason });
        return;
      }
      const { report } = parsed;
      const result = await recordProviderReport(deps.store, report, deps.clock());
      // Addresses stay out of the logs; the account, the email and the outcome are enough to follow up.
      const context = {
        recordType: parsed.recordType,
        accountId: report.accountId,
        kind: report.kind,
        refId: report.refId,
        outcome: result.outcome,
      };
      deps.log.info(context, result.outcome === 'recorded' ? 'postmark webhook recorded' : 'postmark webhook ignored');
      outcome(parsed.recordType, result.outcome);
      const status = result.outcome === 'recorded' || result.outcome === 'duplicate' ? result.outcome : 'ignored';
      res.json({ status, ...(status === 'ignored' ? { reason: result.outcome } : {}) });
    } catch (error) {
      next(error);
    }
  };

  const unreadableBody: ErrorRequestHandler = (error, _req, res, next) => {
    const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
    if (type === 'entity.parse.failed' || type === 'entity.too.large' || type === 'encoding.unsupported') {
      deps.log.warn({ problem: type }, 'postmark webhook refused: unreadable body');
      outcome(undefined, 'malformed');
      res
        .status(typeof status === 'number' ? status : 400)
        .json({ error: 'malformed', problems: ['the body must be JSON (at most 1 MB)'] });
      return;
    }
    next(error);
  };

  router.post(POSTMARK_WEBHOOK_PATH, checkAuth, express.json({ limit: '1mb', type: () => true }), handle);
  router.use(POSTMARK_WEBHOOK_PATH, unreadableBody);
  return router;
}
