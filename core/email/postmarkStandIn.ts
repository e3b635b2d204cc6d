import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromEasternTime } from './easternTime.js';

/**
 * A local stand-in for Postmark's `POST /email/batch`, `POST /email` and the Messages API's outbound
 * search (`GET /messages/outbound`), answering in Postmark's shapes so the real `postmark` client can
 * talk to it in tests and benchmarks. It records every call (including refused ones, so retries can be
 * counted) and every message it answered per message; the search finds the messages it accepted.
 */

/** Decides the per-message answer for an address; the first matching rule wins. */
export interface RecipientRule {
  match: (address: string) => boolean;
  errorCode: number;
  message: string;
}

export const defaultRecipientRules: RecipientRule[] = [
  {
    match: (address) => address.includes('inactive'),
    errorCode: 406,
    message: 'You tried to send to recipient(s) that have been marked as inactive.',
  },
  { match: (address) => address.includes('invalid'), errorCode: 300, message: "Invalid 'To' address" },
];

/** A message as received (Postmark field names), with the answer it got. */
export interface ReceivedMessage {
  From?: string;
  To?: string;
  Subject?: string;
  HtmlBody?: string;
  TextBody?: string;
  Tag?: string;
  Metadata?: Record<string, string>;
  MessageStream?: string;
  ErrorCode: number;
  MessageID?: string;
  /** when it was accepted (ISO, UTC); only accepted messages have one */
  ReceivedAt?: string;
}

export interface StandInCall {
  method: string;
  path: string;
  status: number;
  /** messages in the request body (0 when it was refused before reading them) */
  messageCount: number;
}

export interface PostmarkStandIn {
  /** base URL to pass as `apiUrl`, e.g. `http://127.0.0.1:41234` */
  url: string;
  messages: ReceivedMessage[];
  calls: StandInCall[];
  /** calls read and decided, whose answer is still held back by `latencyMs` (a send's messages are in `messages` by then) */
  held(): number;
  /**
   * The next `count` authorised send calls (or searches, with `on: 'search'`) answer `status` as a whole
   * request (429, 500, 503…), with these response headers (e.g. `{ 'retry-after': '2' }`).
   */
  failNext(status: number, count?: number, headers?: Record<string, string>, on?: 'send' | 'search'): void;
  /** forget messages, calls and queued failures (the arrays are emptied in place) */
  reset(): void;
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown; messageCount?: number; headers?: Record<string, string> };

const BATCH_LIMIT = 500;
// https://postmarkapp.com/developer/api/messages-api (outbound message search): "count … Max 500.
// Count + Offset cannot exceed 10,000 messages."
const SEARCH_PAGE_LIMIT = 500;
const SEARCH_WINDOW_LIMIT = 10_000;

const wholeRequestMessages: Record<number, string> = {
  429: 'Rate limit exceeded. Please retry later.',
  500: 'Internal server error.',
  503: 'Service unavailable.',
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tokenProblem(header: string | string[] | undefined, token: string): Answer | undefined {
  if (!header) {
    const message = 'No Account or Server API tokens were supplied in the HTTP headers.';
    return { status: 401, body: { ErrorCode: 10, Message: message } };
  }
  if (header !== token) {
    const message = 'The Server Token you provided in the X-Postmark-Server-Token request header was invalid.';
    return { status: 401, body: { ErrorCode: 10, Message: message } };
  }
  return undefined;
}

const inputError = (message: string): Answer => ({ status: 422, body: { ErrorCode: 0, Message: message } });

/** The search's filters as Postmark documents them; names are read without regard to case. */
function searchFilter(query: URLSearchParams): { test: (m: ReceivedMessage) => boolean } | Answer {
  const q = new Map([...query].map(([k, v]) => [k.toLowerCase(), v]));
  const metadata = [...q].filter(([k]) => k.startsWith('metadata_'));
  // Postmark: "you can currently only search by a single metadata field at a time"
  // (https://postmarkapp.com/support/article/1125-custom-metadata-faq)
  if (metadata.length > 1) return inputError('Only one metadata field can be searched at a time.');
  const dates: (Date | undefined)[] = [];
  for (const name of ['fromdate', 'todate']) {
    const text = q.get(name);
    const at = text === undefined ? undefined : fromEasternTime(text);
    if (text !== undefined && at === undefined) return inputError(`The '${name}' parameter is not a date.`);
    dates.push(at);
  }
  const [from, to] = dates;
  const lower = (v: string | undefined) => v?.toLowerCase();
  const same = (name: string, value: string | undefined) => !q.has(name) || lower(q.get(name)) === lower(value);
  return {
    test: (m) => {
      const at = Date.parse(m.ReceivedAt ?? '');
      const recipients = (m.To ?? '').split(',').map((a) => a.trim().toLowerCase());
      return (
        same('tag', m.Tag) &&
        same('messagestream', m.MessageStream ?? 'outbound') &&
        same('fromemail', m.From) &&
        same('subject', m.Subject) &&
        (!q.has('recipient') || recipients.includes(lower(q.get('recipient'))!)) &&
        (from === undefined || at >= from.getTime()) &&
        // inclusive, and to the second: the filter has no finer unit
        (to === undefined || at < to.getTime() + 1000) &&
        // Postmark allows no two metadata keys that differ only in case, so the key is matched without it.
        metadata.every(([k, v]) =>
          Object.entries(m.Metadata ?? {}).some(([key, value]) => `metadata_${key.toLowerCase()}` === k && value === v),
        )
      );
    },
  };
}

/** One message as the search lists it (https://postmarkapp.com/developer/api/messages-api). */
const listed = (m: ReceivedMessage) => {
  const recipients = (m.To ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return {
    Tag: m.Tag ?? '',
    MessageID: m.MessageID,
    To: recipients.map((Email) => ({ Email, Name: null })),
    Cc: [],
    Bcc: [],
    Recipients: recipients,
    ReceivedAt: m.ReceivedAt,
    From: m.From ?? '',
    Subject: m.Subject ?? '',
    Attachments: [],
    Status: 'Sent',
    TrackOpens: false,
    TrackLinks: 'None',
    Metadata: m.Metadata ?? {},
    MessageStream: m.MessageStream ?? 'outbound',
    Sandboxed: false,
  };
};

export async function startPostmarkStandIn(options: {
  token: string;
  port?: number;
  rules?: RecipientRule[];
  /**
   * How long each authorised call is held before it is answered, after it was decided (a send's
   * messages are accepted at once): a slow provider, and a window in which a caller can die.
   */
  latencyMs?: number;
}): Promise<PostmarkStandIn> {
  const rules = options.rules ?? defaultRecipientRules;
  const messages: ReceivedMessage[] = [];
  const calls: StandInCall[] = [];
  const failures: Record<'send' | 'search', { status: number; headers: Record<string, string> }[]> = {
    send: [],
    search: [],
  };
  let held = 0;

  /** One message's answer in Postmark's batch-item shape, recorded as received. */
  function answerMessage(input: unknown) {
    const message = (input ?? {}) as Omit<ReceivedMessage, 'ErrorCode' | 'MessageID'>;
    const To = typeof message.To === 'string' ? message.To : '';
    const addresses = To.split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    const rule =
      addresses.length === 0
        ? { errorCode: 300, message: 'Zero recipients specified' }
        : rules.find((r) => addresses.some((a) => r.match(a)));
    const SubmittedAt = new Date().toISOString();
    if (rule) {
      messages.push({ ...message, ErrorCode: rule.errorCode });
      return { ErrorCode: rule.errorCode, Message: rule.message, To, SubmittedAt };
    }
    const MessageID = randomUUID();
    messages.push({ ...message, ErrorCode: 0, MessageID, ReceivedAt: SubmittedAt });
    return { ErrorCode: 0, Message: 'OK', MessageID, SubmittedAt, To };
  }

  function answer(path: string, raw: string): Answer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { status: 422, body: { ErrorCode: 402, Message: 'Received invalid JSON input.' } };
    }
    if (path === '/email') {
      const item = answerMessage(parsed);
      // A single send reports a refused message as a 422 for the whole request.
      return { status: item.ErrorCode === 0 ? 200 : 422, body: item, messageCount: 1 };
    }
    if (!Array.isArray(parsed)) return { status: 422, body: { ErrorCode: 403, Message: 'Incompatible JSON input.' } };
    if (parsed.length > BATCH_LIMIT) {
      return {
        status: 422,
        body: { ErrorCode: 410, Message: 'Too many batch messages.' },
        messageCount: parsed.length,
      };
    }
    return { status: 200, body: parsed.map(answerMessage), messageCount: parsed.length };
  }

  /** Newest first, as Postmark lists them; only accepted messages are there to find. */
  function search(query: URLSearchParams): Answer {
    const count = Number(query.get('count') ?? NaN);
    const offset = Number(query.get('offset') ?? NaN);
    if (!Number.isInteger(count) || !Number.isInteger(offset) || count < 1 || offset < 0) {
      return inputError("The 'count' and 'offset' parameters are required whole numbers.");
    }
    if (count > SEARCH_PAGE_LIMIT) return inputError(`The 'count' parameter cannot exceed ${SEARCH_PAGE_LIMIT}.`);
    if (count + offset > SEARCH_WINDOW_LIMIT) return inputError('Count + Offset cannot exceed 10000 messages.');
    const filter = searchFilter(query);
    if ('status' in filter) return filter;
    const found = messages.filter((m) => m.ErrorCode === 0 && filter.test(m)).reverse();
    const page = found.slice(offset, offset + count);
    return { status: 200, body: { TotalCount: found.length, Messages: page.map(listed) } };
  }

  const failureAnswer = ({ status, headers }: (typeof failures.send)[number]): Answer => ({
    status,
    headers,
    body: { ErrorCode: 0, Message: wholeRequestMessages[status] ?? `Request failed with status ${status}.` },
  });

  // The token is checked before queued failures, so a wrong-token call never uses up a failure a test queued.
  function route(req: IncomingMessage, url: URL, raw: string): Answer {
    const path = url.pathname;
    const sending = req.method === 'POST' && (path === '/email' || path === '/email/batch');
    const searching = req.method === 'GET' && path === '/messages/outbound';
    if (!sending && !searching) return { status: 404, body: { ErrorCode: 0, Message: 'Not found.' } };
    const refused = tokenProblem(req.headers['x-postmark-server-token'], options.token);
    if (refused) return refused;
    const failure = failures[sending ? 'send' : 'search'].shift();
    if (failure !== undefined) return failureAnswer(failure);
    return sending ? answer(path, raw) : search(url.searchParams);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname;
    const result = route(req, url, await readBody(req));
    if (options.latencyMs && result.status !== 401 && result.status !== 404) {
      held++;
      await sleep(options.latencyMs).finally(() => held--);
    }
    // Recorded before answering, so a caller that awaited the response always sees its call.
    calls.push({ method: req.method ?? '', path, status: result.status, messageCount: result.messageCount ?? 0 });
    res.writeHead(result.status, { ...result.headers, 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(result.body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    calls,
    held: () => held,
    failNext(status, count = 1, headers = {}, on = 'send') {
      for (let i = 0; i < count; i++) failures[on].push({ status, headers });
    },
    reset() {
      messages.length = 0;
      calls.length = 0;
      failures.send.length = 0;
      failures.search.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The client keeps connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
