import { createCipheriv, createDecipheriv } from 'node:crypto';
import { poolRandomBytes } from './randomPool.js';
import { ERASED } from '../accounts/events.js';

/**
 * The personal fields of one event, encrypted with its account's data key (AES-256-GCM), stored in
 * the event's data under `personal` in place of the fields themselves. Field names and whether each
 * is a list stay in clear, so an erased event still reads in its shape: `"erased"` / `["erased"]`.
 */
export interface PersonalEnvelope {
  v: 1;
  fields: Record<string, 'text' | 'list'>;
  /** base64url: 96-bit IV, ciphertext of the fields as JSON, 128-bit tag */
  iv: string;
  ct: string;
  tag: string;
}

/** The data field that holds the envelope; no event type has a field of that name. */
export const ENVELOPE_FIELD = 'personal';

/** What the envelope is bound to: moved to another event, stream or type, it does not open. */
export interface SealedIn {
  id: string;
  streamName: string;
  type: string;
}

export class PersonalDataError extends Error {
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = 'PersonalDataError';
  }
}

const aad = (event: SealedIn, fields: PersonalEnvelope['fields']) =>
  Buffer.from(
    JSON.stringify(['keyturn/personal/v1', event.streamName, event.type, event.id, Object.entries(fields).sort()]),
  );

export function isEnvelope(value: unknown): value is PersonalEnvelope {
  if (value === null || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  return (
    e.v === 1 &&
    typeof e.iv === 'string' &&
    typeof e.ct === 'string' &&
    typeof e.tag === 'string' &&
    typeof e.fields === 'object' &&
    e.fields !== null
  );
}

export function seal(key: Buffer, event: SealedIn, personal: Record<string, unknown>): PersonalEnvelope {
  const fields = Object.fromEntries(
    Object.entries(personal).map(([name, value]) => [name, Array.isArray(value) ? 'list' : 'text'] as const),
  );
  const iv = poolRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(event, fields));
  const ct = Buffer.concat([cipher.update(JSON.stringify(personal), 'utf8'), cipher.final()]);
  return {
    v: 1,
    fields,
    iv: iv.toString('base64url'),
    ct: ct.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** The fields as they were sealed; throws when the envelope was altered or moved (never shows them). */
export function unseal(key: Buffer, event: SealedIn, envelope: PersonalEnvelope): Record<string, unknown> {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64url'))
      .setAAD(aad(event, envelope.fields))
      .setAuthTag(Buffer.from(envelope.tag, 'base64url'));
    const json = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new PersonalDataError(
      'PDATA-9vLm',
      `The personal data of event ${event.id} (${event.type} in ${event.streamName}) does not open with its account's key: it was altered or moved.`,
    );
  }
}

/** The fields an envelope held, as they read without the key. */
export const erasedFields = (envelope: PersonalEnvelope): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(envelope.fields).map(([name, kind]) => [name, kind === 'list' ? [ERASED] : ERASED]),
  );
