import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Postmark's `POST /email/batch` and `POST /email`, answering in Postmark's shapes
 * so the real `postmark` client can talk to it in tests and benchmarks. It records every call (including
 * refused ones, so retries can be counted) and every message it answered per message.
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
  /**
   * The next `count` authorised calls answer `status` as a whole request (429, 500, 503…), with these
   * response headers (e.g. `{ 'retry-after': '2' }`).
   */
  failNext(status: number, count?: number, headers?: Record<string, string>): void;
  /** forget messages, calls and queued failures (the arrays are emptied in place) */
  reset(): void;
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown; messageCount?: number; headers?: Record<string, string> };

const BATCH_LIMIT = 500;

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

export async function startPostmarkStandIn(options: {
  token: string;
  port?: number;
  rules?: RecipientRule[];
}): Promise<PostmarkStandIn> {
  const rules = options.rules ?? defaultRecipientRules;
  const messages: ReceivedMessage[] = [];
  const calls: StandInCall[] = [];
  const failures: { status: number; headers: Record<string, string> }[] = [];

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
    messages.push({ ...message, ErrorCode: 0, MessageID });
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

  const failureAnswer = ({ status, headers }: (typeof failures)[number]): Answer => ({
    status,
    headers,
    body: { ErrorCode: 0, Message: wholeRequestMessages[status] ?? `Request failed with status ${status}.` },
  });

  // The token is checked before queued failures, so a wrong-token call never uses up a failure a test queued.
  function route(req: IncomingMessage, path: string, raw: string): Answer {
    if (req.method !== 'POST' || (path !== '/email' && path !== '/email/batch')) {
      return { status: 404, body: { ErrorCode: 0, Message: 'Not found.' } };
    }
    const refused = tokenProblem(req.headers['x-postmark-server-token'], options.token);
    if (refused) return refused;
    const failure = failures.shift();
    return failure === undefined ? answer(path, raw) : failureAnswer(failure);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const result = route(req, path, await readBody(req));
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
    failNext(status, count = 1, headers = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    reset() {
      messages.length = 0;
      calls.length = 0;
      failures.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The client keeps connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
