/** Shape rules shared by the deciders and the GraphQL inputs, so both say the same words. */
export const EXTENSION_PATTERN = /^[0-9]{2,10}$/;
export const EXTENSION_MESSAGE = 'An extension is 2 to 10 digits.';

// Pragmatic address check: one @, no spaces, a dot in the domain. Deliverability is Postmark's job.
export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;
export const EMAIL_MESSAGE = 'Enter an email address like name@example.com.';
export const EMAIL_MAX_LENGTH = 254;

export const DOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const DOMAIN_MESSAGE =
  'A domain is one lower-case DNS label: letters a–z, digits and hyphens, at most 63, not starting or ending with a hyphen.';

export const NAME_MAX_LENGTH = 100;

export const isEmail = (value: string) => value.length <= EMAIL_MAX_LENGTH && EMAIL_PATTERN.test(value);
export const normalizeEmail = (value: string) => value.trim().toLowerCase();
