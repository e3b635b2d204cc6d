import { ServerClient } from 'postmark';
import type { Message, Models } from 'postmark';
import type { EmailLog } from './emailLog.js';
import { EmailProviderError, type EmailSender, type OutgoingEmail, type SendResult } from './emailSender.js';
import { safeText } from './logSafe.js';
import { backoffMs, parseRetryAfter } from './retryDelay.js';

export { EmailProviderError };

export interface PostmarkSenderOptions {
  serverToken: string;
  /** e.g. `http://127.0.0.1:4010` for the stand-in; default is Postmark's own https API */
  apiUrl?: string;
  /** a confirmed sender signature, e.g. `Keyturn <no-reply@example.com>` */
  from: string;
  /** default `outbound` (Postmark's transactional stream) */
  messageStream?: string;
  log: EmailLog;
  /**
   * `attempts` counts the first try; defaults 5 attempts, 500 ms base, 30 s at most between two. A
   * `Retry-After` longer than `maxDelayMs` is not waited out here: the error carries it to the reactor.
   */
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs?: number };
  /** waits between attempts; tests pass one that records the delay instead of waiting */
  sleep?: (ms: number) => Promise<void>;
  /** for `Retry-After` given as an HTTP-date */
  now?: () => Date;
}

/** Postmark's batch endpoint takes at most 500 messages per call. */
export const POSTMARK_BATCH_LIMIT = 500;

// Postmark per-message error codes we explain to people; any other code keeps Postmark's own message.
const reasons: Record<number, string> = {
  406: 'inactive recipient (hard bounce or spam complaint earlier)',
  300: 'invalid email address',
};

type Fetch = NonNullable<Models.ClientOptions.Configuration['fetch']>;

/** `http(s)://host:port[/prefix]` → the client's `useHttps` + `requestHost` (which may carry a path). */
function clientOptions(apiUrl: string | undefined): Models.ClientOptions.Configuration {
  // A hung connection would stall the reactor for the client's 3-minute default; 60 s then retry.
  if (!apiUrl) return { timeout: 60 };
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('apiUrl must be http(s)');
  const prefix = url.pathname.replace(/\/+$/, '');
  return { useHttps: url.protocol === 'https:', requestHost: `${url.host}${prefix}`, timeout: 60 };
}

const toMessage = (from: string, stream: string, email: OutgoingEmail): Message => ({
  From: from,
  To: email.to.join(', '),
  Subject: email.subject,
  HtmlBody: email.html,
  TextBody: email.text,
  Tag: email.kind,
  Metadata: { ...email.metadata },
  MessageStream: stream,
});

const scrub = (text: string, token: string) => safeText(text.split(token).join('[redacted]'));

const toResult = (response: Models.MessageSendingResponse, token: string): SendResult =>
  response.ErrorCode === 0
    ? { ok: true, providerMessageId: response.MessageID }
    : {
        ok: false,
        errorCode: String(response.ErrorCode),
        reason: reasons[response.ErrorCode] ?? scrub(response.Message || `Postmark error ${response.ErrorCode}`, token),
      };

/** 429, 5xx and network failures (the client reports those with status 0) are worth another try. */
const isRetryable = (status: number) => status === 0 || status === 429 || status >= 500;

const wholeRequestReasons: Record<number, string> = {
  401: 'Postmark did not accept the server token (check POSTMARK_SERVER_TOKEN)',
  422: 'Postmark refused the request as invalid',
};

/** A request refused for good refuses each of its messages: the reactor records them and moves on. */
function refuseAll(count: number, error: EmailProviderError, code: unknown, token: string): SendResult[] {
  const why = wholeRequestReasons[error.status] ?? 'Postmark refused the request';
  const detail = scrub(error.message.replace(/^Postmark batch failed \([^)]*\): /, ''), token);
  const codeText = typeof code === 'number' && code !== 0 ? `, ErrorCode ${code}` : '';
  const reason = `${why} (HTTP ${error.status}${codeText}): ${detail}`;
  return Array.from({ length: count }, () => ({ ok: false as const, errorCode: `HTTP_${error.status}`, reason }));
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createPostmarkSender(options: PostmarkSenderOptions): EmailSender {
  const { serverToken, from, log, messageStream = 'outbound', sleep = wait, now = () => new Date() } = options;
  const { attempts, baseDelayMs, maxDelayMs = 30_000 } = options.retry ?? { attempts: 5, baseDelayMs: 500 };
  const configuration = clientOptions(options.apiUrl);
  new ServerClient(serverToken, configuration); // a bad token or URL fails at start-up, not at the first email
  const warn = (obj: Record<string, unknown>, msg: string) => (log.warn ?? log.info).call(log, obj, msg);

  /**
   * The client's errors carry the status and Postmark's ErrorCode but no response headers, so each try
   * gets a client whose `fetch` keeps the `Retry-After` it saw (connections are pooled by Node's global
   * fetch either way).
   */
  async function post(messages: Message[]) {
    const seen: { retryAfter?: string | null } = {};
    const fetchKeepingRetryAfter: Fetch = async (input, init) => {
      const response = await fetch(input, init);
      seen.retryAfter = response.headers.get('retry-after');
      return response;
    };
    const client = new ServerClient(serverToken, { ...configuration, fetch: fetchKeepingRetryAfter });
    try {
      return { responses: await client.sendEmailBatch(messages) };
    } catch (raw) {
      return { raw, retryAfter: seen.retryAfter };
    }
  }

  // Postmark puts the token only in a header, but a message is text we do not control: scrub it anyway.
  const providerError = (raw: unknown, tries: number, retryAfter: string | null | undefined) => {
    const { statusCode, code } = (raw ?? {}) as { statusCode?: unknown; code?: unknown };
    const status = typeof statusCode === 'number' ? statusCode : 0;
    const detail = (raw instanceof Error ? raw.message : String(raw)).split(serverToken).join('[redacted]');
    const what = `HTTP ${status || 'none'}, ErrorCode ${typeof code === 'number' || typeof code === 'string' ? code : '-'}, ${tries} attempt(s)`;
    const retryAfterMs = parseRetryAfter(retryAfter, now());
    const error = new EmailProviderError(
      `Postmark batch failed (${what}): ${detail}`,
      status,
      isRetryable(status),
      retryAfterMs,
    );
    return { error, code };
  };

  async function sendChunk(chunk: OutgoingEmail[]): Promise<SendResult[]> {
    const messages = chunk.map((email) => toMessage(from, messageStream, email));
    for (let attempt = 1; ; attempt++) {
      const answer = await post(messages);
      if ('responses' in answer) {
        const { responses } = answer;
        // Postmark answers in request order; anything else would pin results on the wrong accounts.
        if (Array.isArray(responses) && responses.length === chunk.length) {
          return responses.map((r) => toResult(r, serverToken));
        }
        warn({ messages: chunk.length }, 'postmark answered the batch with a malformed list');
        const reason = 'Postmark accepted the request but its answer could not be read; the email may have gone out.';
        return chunk.map(() => ({ ok: false as const, errorCode: 'MALFORMED_ANSWER', reason }));
      }
      const { error, code } = providerError(answer.raw, attempt, answer.retryAfter);
      if (!error.retryable) {
        warn({ status: error.status, code, messages: chunk.length }, 'postmark refused the whole batch');
        return refuseAll(chunk.length, error, code, serverToken);
      }
      // Postmark's own wait wins over ours; one longer than we wait in-process is left to the reactor.
      const delayMs = Math.max(backoffMs(attempt, baseDelayMs, maxDelayMs), error.retryAfterMs ?? 0);
      if (attempt >= attempts || delayMs > maxDelayMs) throw error;
      const context = {
        status: error.status,
        attempt,
        delayMs,
        retryAfterMs: error.retryAfterMs,
        messages: chunk.length,
      };
      warn(context, 'postmark batch failed, retrying');
      await sleep(delayMs);
    }
  }

  return {
    /**
     * Chunks go one at a time: results stay in order and a rate limit hits one request, not ten. If a
     * later chunk fails for now the promise rejects although earlier chunks went out, so a retried batch
     * may repeat them — callers that mind hand over at most POSTMARK_BATCH_LIMIT emails per call.
     */
    async sendBatch(emails) {
      const results: SendResult[] = [];
      for (let start = 0; start < emails.length; start += POSTMARK_BATCH_LIMIT) {
        const chunk = await sendChunk(emails.slice(start, start + POSTMARK_BATCH_LIMIT));
        results.push(...chunk);
        log.info(summary(chunk), 'postmark batch sent');
      }
      return results;
    },
  };
}

/** Counts only: addresses, bodies and links stay out of the logs. */
function summary(results: SendResult[]) {
  const refusedByCode: Record<string, number> = {};
  for (const r of results) if (!r.ok) refusedByCode[r.errorCode] = (refusedByCode[r.errorCode] ?? 0) + 1;
  const refused = Object.values(refusedByCode).reduce((a, b) => a + b, 0);
  return { messages: results.length, accepted: results.length - refused, refused, refusedByCode };
}
