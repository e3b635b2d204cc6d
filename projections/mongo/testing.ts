import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** The FerretDB of the `mongo` vitest project; fails (never skips) outside it. */
export function testMongoUrl(): string {
  const url = inject('mongodbUrl');
  if (!url)
    throw new Error('No MongoDB URL: run this spec in the `mongo` vitest project (its global setup starts FerretDB).');
  return url;
}

/** A fresh database per test or app, so nothing leaks between them. */
export const freshDbName = (prefix = 'kt') => `${prefix}_${randomBytes(6).toString('hex')}`;
