import type { EmailKind } from '../accounts/events.js';

export interface OutgoingEmail {
  to: string[];
  subject: string;
  html: string;
  text: string;
  kind: EmailKind;
  /** travels with the message (Postmark Metadata) so webhooks can find the account again */
  metadata: { accountId: string; refId: string; kind: EmailKind };
}

/**
 * What identifies the job an email is for: an outcome is recorded once per kind and refId (see
 * `isSettled`). Senders put it on the message, so a restart can ask whether the job already went out.
 */
export const emailJobId = (email: Pick<OutgoingEmail, 'metadata'>) => `${email.metadata.kind}:${email.metadata.refId}`;

export type SendResult =
  | { ok: true; providerMessageId?: string }
  /** the provider refused this message for good (inactive recipient, invalid address, a refused request…) */
  | { ok: false; errorCode: string; reason: string };

/**
 * Sends a batch and answers one result per message, in order. A request the provider refuses for good
 * (a 4xx other than 429) answers a refusal for each of its messages. Transient trouble (429, 5xx,
 * network) is retried inside; if it persists the promise rejects with an `EmailProviderError` and the
 * reactor tries the batch again later — nothing is recorded, since the email may still go out.
 */
export interface EmailSender {
  sendBatch(emails: OutgoingEmail[]): Promise<SendResult[]>;
  /**
   * Which of `emails` the provider already accepted (matched on `metadata.jobId`), no earlier than
   * `since` (and, when given, no later than `until`): index in `emails` → provider message id. For
   * jobs a crash, a takeover or a call without an answer left in doubt, so they are recorded instead of
   * sent twice. Rejects like `sendBatch` (`EmailProviderError`) when the provider cannot say; a sender
   * without it is at least once.
   */
  findAccepted?(emails: OutgoingEmail[], since: Date, until?: Date): Promise<Map<number, string>>;
}

/** The whole request failed. Never carries a token. */
export class EmailProviderError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when there was no answer (network, timeout) */
    readonly status: number,
    readonly retryable: boolean,
    /** the provider asked us to wait this long (`Retry-After`) before the next try */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'EmailProviderError';
  }
}
