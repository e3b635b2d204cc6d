export const PIN_MIN_LENGTH = 4;
export const PIN_MAX_LENGTH = 16;

const isRun = (pin: string, step: 1 | -1) =>
  [...pin].every((digit, i) => i === 0 || Number(digit) - Number(pin[i - 1]) === step);

/** Voicemail PIN rules, in the words a caller at a phone keypad understands. Empty when acceptable. */
export function checkPin(pin: string, extension: string): string[] {
  if (!/^[0-9]*$/.test(pin)) return ['Use digits only (0–9).'];
  const problems: string[] = [];
  if (pin.length < PIN_MIN_LENGTH) problems.push(`Use at least ${PIN_MIN_LENGTH} digits.`);
  if (pin.length > PIN_MAX_LENGTH) problems.push(`Use at most ${PIN_MAX_LENGTH} digits.`);
  if (pin.length > 1 && /^(\d)\1*$/.test(pin)) problems.push('Do not repeat one digit only (like 1111).');
  if (pin.length > 1 && (isRun(pin, 1) || isRun(pin, -1))) {
    problems.push('Do not use a run of digits (like 1234 or 4321).');
  }
  if (pin === extension) problems.push('Do not use your extension as the PIN.');
  return problems;
}
