import { dictionary } from '@zxcvbn-ts/language-common';

// ~49,000 most common passwords (lower-case), maintained by the zxcvbn-ts project.
const commonPasswords: ReadonlySet<string> = new Set(dictionary['passwords-common']);

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export interface PasswordContext {
  loginName: string;
  extension: string;
}

export interface PasswordInput {
  password: string;
  confirmPassword: string;
}

/**
 * Every password rule a person has to meet, in their words. Returns field errors keyed by input
 * field; empty when the password is acceptable. Pure: the UI checklist mirrors these rules.
 */
export function checkPassword(input: PasswordInput, context: PasswordContext): Record<string, string[]> {
  const { password, confirmPassword } = input;
  const problems: string[] = [];
  if ([...password].length < PASSWORD_MIN_LENGTH) problems.push(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  if ([...password].length > PASSWORD_MAX_LENGTH) problems.push(`Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  if (!/\p{Lu}/u.test(password)) problems.push('Include at least one capital letter.');
  if (!/[0-9]/.test(password)) problems.push('Include at least one number.');
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) problems.push('This password is too common; choose one that is harder to guess.');
  // The login name is `<extension>@<domain>`, so containing the extension covers it too.
  const containsLoginName = context.loginName !== '' && lower.includes(context.loginName.toLowerCase());
  if (containsLoginName || (context.extension && password.includes(context.extension))) {
    problems.push('Do not use your login name or extension in the password.');
  }
  const fields: Record<string, string[]> = {};
  if (problems.length > 0) fields.password = problems;
  if (password !== confirmPassword) fields.confirmPassword = ['The passwords do not match.'];
  return fields;
}
