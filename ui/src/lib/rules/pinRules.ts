import { rule, type RuleResult } from './passwordRules';

/** The voicemail PIN rules of `core/accounts/pinPolicy.ts`, mirrored for the live checklist. */
const MIN = 4;
const MAX = 16;

const isRun = (pin: string, step: 1 | -1) =>
  [...pin].every((digit, i) => i === 0 || Number(digit) - Number(pin[i - 1]) === step);

export function pinRules(pin: string, extension: string): RuleResult[] {
  const digitsOnly = /^[0-9]*$/.test(pin);
  const typed = pin !== '';
  // Like the server: once a non-digit is in, only "digits only" is said; the other lines wait.
  const judged = typed && digitsOnly;
  return [
    rule('digits', 'Digits only (0–9)', 'Use digits only (0–9).', !digitsOnly, typed),
    rule(
      'length',
      `${MIN} to ${MAX} digits`,
      pin.length > MAX ? `Use at most ${MAX} digits.` : `Use at least ${MIN} digits.`,
      digitsOnly && (pin.length < MIN || pin.length > MAX),
      judged,
    ),
    rule(
      'not-repeated',
      'Not one digit repeated (like 1111)',
      'Do not repeat one digit only (like 1111).',
      digitsOnly && pin.length > 1 && /^(\d)\1*$/.test(pin),
      judged,
    ),
    rule(
      'not-run',
      'Not a run of digits (like 1234 or 4321)',
      'Do not use a run of digits (like 1234 or 4321).',
      digitsOnly && pin.length > 1 && (isRun(pin, 1) || isRun(pin, -1)),
      judged,
    ),
    rule('not-extension', 'Not your extension', 'Do not use your extension as the PIN.', digitsOnly && pin === extension, judged),
  ];
}

/** The sentences the server would answer for this PIN, in its order. */
export const pinProblems = (pin: string, extension: string): string[] =>
  pinRules(pin, extension)
    .filter((r) => r.broken)
    .map((r) => r.message);
