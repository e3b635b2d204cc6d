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
  /** the provider refused this message for good (inactive recipient, invalid address…) */
  | { ok: false; errorCode: string; reason: string };

/**
 * Sends a batch and answers one result per message, in order. Transient trouble (429, 5xx, network)
 * is retried inside; if it persists the promise rejects and the reactor retries the batch later.
 */
export interface EmailSender {
  sendBatch(emails: OutgoingEmail[]): Promise<SendResult[]>;
}
