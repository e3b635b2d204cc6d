import { describe, expect, it } from 'vitest';
import { checkPin } from './pinPolicy.js';

const DIGITS_ONLY = 'Use digits only (0–9).';
const TOO_SHORT = 'Use at least 4 digits.';
const TOO_LONG = 'Use at most 16 digits.';
const REPEATED = 'Do not repeat one digit only (like 1111).';
const RUN = 'Do not use a run of digits (like 1234 or 4321).';
const EXTENSION = 'Do not use your extension as the PIN.';

const check = (pin: string) => checkPin(pin, '2468');

describe('given Ann choosing a voicemail PIN (extension 2468)', () => {
  it.each(['2580', '135790', '1212', '9081726354', '8'.repeat(15) + '1'])('accepts %s', (pin) => {
    expect(check(pin)).toEqual([]);
  });

  it.each([
    ['a letter', '12a4'],
    ['full-width digits', '１２３４'],
    ['a leading space', ' 1234'],
    ['a trailing newline', '2580\n'],
    ['a sign', '-2580'],
  ])('accepts digits only: rejects %s', (_why, pin) => {
    expect(check(pin)).toEqual([DIGITS_ONLY]);
  });

  it('accepts 4 to 16 digits: rejects 3 and 17', () => {
    expect(check('258')).toEqual([TOO_SHORT]);
    expect(check('25802580258025802')).toEqual([TOO_LONG]);
    expect(check('2580258025802580')).toEqual([]);
  });

  it.each(['0000', '7777777'])('rejects one digit repeated: %s', (pin) => {
    expect(check(pin)).toEqual([REPEATED]);
  });

  it.each(['1234', '4321', '0123', '6789', '98765', '0123456789'])('rejects a run of digits: %s', (pin) => {
    expect(check(pin)).toEqual([RUN]);
  });

  it('rejects the extension', () => {
    expect(check('2468')).toEqual([EXTENSION]);
    expect(checkPin('2468', '2469')).toEqual([]);
  });

  it('reports several problems together', () => {
    expect(checkPin('123', '123')).toEqual([TOO_SHORT, RUN, EXTENSION]);
    expect(check('11')).toEqual([TOO_SHORT, REPEATED]);
  });
});
