/**
 * The password rules of `core/accounts/passwordPolicy.ts`, mirrored for the live checklist. The
 * server stays the authority: it also refuses the ~49,000 most common passwords, which are not
 * shipped to the browser. `policyMirror.unit.spec.ts` keeps the two in step.
 */
export interface RuleResult {
  id: string;
  /** the checklist line */
  label: string;
  /** the sentence the server answers when the rule is broken */
  message: string;
  /** broken in the server's sense (an empty value breaks only the length rules) */
  broken: boolean;
  /** what the checklist shows: nothing turns green before anything is typed */
  met: boolean;
}

export const rule = (id: string, label: string, message: string, broken: boolean, typed: boolean): RuleResult => ({
  id,
  label,
  message,
  broken,
  met: typed && !broken,
});

export interface PasswordContext {
  loginName: string;
  extension: string;
}

const MIN = 8;
const MAX = 128;

export function passwordRules(password: string, context: PasswordContext): RuleResult[] {
  const length = [...password].length;
  const lower = password.toLowerCase();
  const containsLoginName = context.loginName !== '' && lower.includes(context.loginName.toLowerCase());
  const containsExtension = context.extension !== '' && password.includes(context.extension);
  const typed = password !== '';
  return [
    rule('min-length', `At least ${MIN} characters`, `Use at least ${MIN} characters.`, length < MIN, typed),
    rule('max-length', `At most ${MAX} characters`, `Use at most ${MAX} characters.`, length > MAX, typed),
    rule('capital', 'A capital letter', 'Include at least one capital letter.', !/\p{Lu}/u.test(password), typed),
    rule('number', 'A number', 'Include at least one number.', !/[0-9]/.test(password), typed),
    rule(
      'not-login-name',
      'Not your login name or extension',
      'Do not use your login name or extension in the password.',
      containsLoginName || containsExtension,
      typed,
    ),
  ];
}

export const confirmationRule = (password: string, confirmPassword: string): RuleResult =>
  rule('match', 'Both passwords match', 'The passwords do not match.', password !== confirmPassword, confirmPassword !== '');

/** Field errors as the server would give them (without the common-password check). */
export function passwordProblems(
  input: { password: string; confirmPassword: string },
  context: PasswordContext,
): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  const broken = passwordRules(input.password, context).filter((r) => r.broken);
  if (broken.length > 0) fields.password = broken.map((r) => r.message);
  const confirmation = confirmationRule(input.password, input.confirmPassword);
  if (confirmation.broken) fields.confirmPassword = [confirmation.message];
  return fields;
}
