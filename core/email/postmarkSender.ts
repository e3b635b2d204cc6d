import { ServerClient } from 'postmark';
import type { Message, Models } from 'postmark';
import { toEasternTime } from './easternTime.js';
import type { EmailLog } from './emailLog.js';
import {
  EmailProviderError,
  emailJobId,
  type EmailSender,
  type OutgoingEmail,
  type SendResult,
} from './emailSender.js';
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

// The Messages API's outbound search (https://postmarkapp.com/developer/api/messages-api): at most 500
// a page, and count + offset at most 10,000.
const SEARCH_PAGE = 500;
const SEARCH_WINDOW = 10_000;
const SEARCH_MARGIN_MS = 3_600_000;
/** past `until`, for clocks that differ (ours and Postmark's) */
const UNTIL_MARGIN_MS = 300_000;

/**
 * `todate` for a search that ends at `until`: a few minutes later, or none when that wall-clock time
 * is one of the hour that repeats when daylight saving ends (Postmark might read it an hour early).
 */
function upperBound(until: Date): string | undefined {
  const at = until.getTime() + UNTIL_MARGIN_MS;
  const wall = toEasternTime(new Date(at));
  const repeats = [at - 3_600_000, at + 3_600_000].some((t) => toEasternTime(new Date(t)) === wall);
  return repeats ? undefined : wall;
}

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
  // The job id lets a restart find the message again (Messages API) instead of sending it twice.
  Metadata: { ...email.metadata, jobId: emailJobId(email) },
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
  async function call<T>(request: (client: ServerClient) => Promise<T>) {
    const seen: { retryAfter?: string | null } = {};
    const fetchKeepingRetryAfter: Fetch = async (input, init) => {
      const response = await fetch(input, init);
      seen.retryAfter = response.headers.get('retry-after');
      return response;
    };
    const client = new ServerClient(serverToken, { ...configuration, fetch: fetchKeepingRetryAfter });
    try {
      return { responses: await request(client) };
    } catch (raw) {
      return { raw, retryAfter: seen.retryAfter };
    }
  }
  const post = (messages: Message[]) => call((client) => client.sendEmailBatch(messages));

  // Postmark puts the token only in a header, but a message is text we do not control: scrub it anyway.
  const providerError = (raw: unknown, tries: number, retryAfter: string | null | undefined, what = 'batch') => {
    const { statusCode, code } = (raw ?? {}) as { statusCode?: unknown; code?: unknown };
    const status = typeof statusCode === 'number' ? statusCode : 0;
    const detail = (raw instanceof Error ? raw.message : String(raw)).split(serverToken).join('[redacted]');
    const how = `HTTP ${status || 'none'}, ErrorCode ${typeof code === 'number' || typeof code === 'string' ? code : '-'}, ${tries} attempt(s)`;
    const retryAfterMs = parseRetryAfter(retryAfter, now());
    const error = new EmailProviderError(
      `Postmark ${what} failed (${how}): ${detail}`,
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

  /** One Messages API search page; transient trouble is retried like a send, then rejects. */
  async function searchPage(filter: Record<string, string | number>): Promise<Models.OutboundMessages> {
    for (let attempt = 1; ; attempt++) {
      const answer = await call((client) => client.getOutboundMessages(filter));
      if ('responses' in answer) {
        if (Array.isArray(answer.responses?.Messages)) return answer.responses;
        throw new EmailProviderError('Postmark answered the message search with a malformed page', 0, true);
      }
      const { error, code } = providerError(answer.raw, attempt, answer.retryAfter, 'message search');
      const delayMs = Math.max(backoffMs(attempt, baseDelayMs, maxDelayMs), error.retryAfterMs ?? 0);
      if (!error.retryable || attempt >= attempts || delayMs > maxDelayMs) throw error;
      warn({ status: error.status, code, attempt, delayMs }, 'postmark message search failed, retrying');
      await sleep(delayMs);
    }
  }

  /**
   * Pages through the messages of one tag accepted since `fromdate`, newest first, until every wanted
   * job id is found or the list ends. Postmark lists at most 10,000 per search (count + offset), so past
   * that the search goes on with `todate` at the oldest message seen (inclusive: seen twice is harmless).
   */
  async function searchTag(
    tag: string,
    wanted: Map<string, number>,
    window: { since: Date; until?: Date },
    found: Map<number, string>,
  ) {
    const base = { tag, messagestream: messageStream, fromdate: toEasternTime(window.since), count: SEARCH_PAGE };
    let todate = window.until && upperBound(window.until);
    let offset = 0;
    while (wanted.size > 0) {
      const page = await searchPage({ ...base, offset, ...(todate ? { todate } : {}) });
      for (const m of page.Messages) {
        const index = wanted.get(m.Metadata?.jobId ?? '');
        if (index === undefined || !m.MessageID) continue;
        found.set(index, m.MessageID);
        wanted.delete(m.Metadata.jobId!);
      }
      offset += page.Messages.length;
      if (page.Messages.length < SEARCH_PAGE || offset >= Number(page.TotalCount)) return;
      if (offset + SEARCH_PAGE <= SEARCH_WINDOW) continue;
      const oldest = Math.min(...page.Messages.map((m) => Date.parse(m.ReceivedAt)));
      const next = Number.isNaN(oldest) ? undefined : toEasternTime(new Date(oldest));
      if (next === undefined || next === todate) return searchEach(wanted, found);
      todate = next;
      offset = 0;
    }
  }

  /** 10,000 messages of one tag within a second: asked for one job at a time (the metadata filter). */
  async function searchEach(wanted: Map<string, number>, found: Map<number, string>) {
    for (const [jobId, index] of wanted) {
      const page = await searchPage({ metadata_jobId: jobId, messagestream: messageStream, count: 1, offset: 0 });
      const id = page.Messages.find((m) => m.Metadata?.jobId === jobId)?.MessageID;
      if (id) found.set(index, id);
    }
  }

  return {
    /**
     * Asked per tag (the email kind) over the time since `since`, widened by an hour: Postmark reads the
     * dates as US Eastern wall-clock time, whose hour repeats when daylight saving ends, and its clock
     * is not ours. Calls grow with the messages accepted in that window (500 a page), not with the jobs;
     * `until` (a few minutes later) ends the window, so a recovery pages only through what was sent
     * before it started, not through what it has sent since.
     */
    async findAccepted(emails, since, until) {
      const byTag = new Map<string, Map<string, number>>();
      for (const [i, email] of emails.entries()) {
        const wanted = byTag.get(email.kind) ?? new Map<string, number>();
        byTag.set(email.kind, wanted.set(emailJobId(email), i));
      }
      const found = new Map<number, string>();
      const from = new Date(since.getTime() - SEARCH_MARGIN_MS);
      for (const [tag, wanted] of byTag) await searchTag(tag, wanted, { since: from, until }, found);
      log.info({ emails: emails.length, accepted: found.size }, 'postmark asked which emails it already accepted');
      return found;
    },

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
