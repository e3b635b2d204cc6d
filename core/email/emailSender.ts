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
