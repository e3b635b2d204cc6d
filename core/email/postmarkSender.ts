import { ServerClient } from 'postmark';
import type { Message, Models } from 'postmark';
import type { EmailLog } from './emailLog.js';
import type { EmailSender, OutgoingEmail, SendResult } from './emailSender.js';

export interface PostmarkSenderOptions {
  serverToken: string;
  /** e.g. `http://127.0.0.1:4010` for the stand-in; default is Postmark's own https API */
  apiUrl?: string;
  /** a confirmed sender signature, e.g. `Keyturn <no-reply@example.com>` */
  from: string;
  /** default `outbound` (Postmark's transactional stream) */
  messageStream?: string;
  log: EmailLog;
  /** `attempts` counts the first try; defaults 5 attempts, 500 ms base */
  retry?: { attempts: number; baseDelayMs: number };
}

/** The whole request failed: the reactor keeps the batch and tries again later. Never carries the token. */
export class EmailProviderError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'EmailProviderError';
  }
}

/** Postmark's batch endpoint takes at most 500 messages per call. */
export const POSTMARK_BATCH_LIMIT = 500;

// Postmark per-message error codes we explain to people; any other code keeps Postmark's own message.
const reasons: Record<number, string> = {
  406: 'inactive recipient (hard bounce or spam complaint earlier)',
  300: 'invalid email address',
};

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

const toResult = (response: Models.MessageSendingResponse): SendResult =>
  response.ErrorCode === 0
    ? { ok: true, providerMessageId: response.MessageID }
    : {
        ok: false,
        errorCode: String(response.ErrorCode),
        reason: reasons[response.ErrorCode] ?? (response.Message || `Postmark error ${response.ErrorCode}`),
      };

/** 429, 5xx and network failures (the client reports those with status 0) are worth another try. */
const isRetryable = (status: number) => status === 0 || status === 429 || status >= 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createPostmarkSender(options: PostmarkSenderOptions): EmailSender {
  const { serverToken, from, log, messageStream = 'outbound' } = options;
  const { attempts, baseDelayMs } = options.retry ?? { attempts: 5, baseDelayMs: 500 };
  const client = new ServerClient(serverToken, clientOptions(options.apiUrl));
  const warn = (obj: Record<string, unknown>, msg: string) => (log.warn ?? log.info).call(log, obj, msg);

  // Postmark puts the token only in a header, but a message is text we do not control: scrub it anyway.
  const providerError = (error: unknown, tries: number) => {
    const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
    const status = typeof statusCode === 'number' ? statusCode : 0;
    const detail = (error instanceof Error ? error.message : String(error)).split(serverToken).join('[redacted]');
    const what = `HTTP ${status || 'none'}, ErrorCode ${typeof code === 'number' || typeof code === 'string' ? code : '-'}, ${tries} attempt(s)`;
    return new EmailProviderError(`Postmark batch failed (${what}): ${detail}`, status, isRetryable(status));
  };

  async function sendChunk(chunk: OutgoingEmail[]): Promise<SendResult[]> {
    const messages = chunk.map((email) => toMessage(from, messageStream, email));
    for (let attempt = 1; ; attempt++) {
      try {
        const responses = await client.sendEmailBatch(messages);
        // Postmark answers in request order; anything else would pin results on the wrong accounts.
        if (!Array.isArray(responses) || responses.length !== chunk.length) {
          const message = `Postmark answered ${chunk.length} messages with a malformed list`;
          throw new EmailProviderError(message, 200, false);
        }
        return responses.map(toResult);
      } catch (raw) {
        if (raw instanceof EmailProviderError) throw raw;
        const error = providerError(raw, attempt);
        if (!error.retryable || attempt >= attempts) throw error;
        // Exponential backoff with "equal jitter": half fixed, half random, so parallel senders spread out.
        const step = baseDelayMs * 2 ** (attempt - 1);
        const delayMs = Math.round(step / 2 + (Math.random() * step) / 2);
        const context = { status: error.status, attempt, delayMs, messages: chunk.length };
        warn(context, 'postmark batch failed, retrying');
        await sleep(delayMs);
      }
    }
  }

  return {
    /**
     * Chunks go one at a time: results stay in order and a rate limit hits one request, not ten. If a
     * later chunk fails for good the promise rejects although earlier chunks went out, so a retried batch
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
