import { describe, expect, it } from 'vitest';
import { checkPassword } from './passwordPolicy.js';

// Ann's login name is `<extension>@<domain>`.
const ann = { loginName: '101@acme', extension: '101' };
const check = (password: string, confirmPassword = password) => checkPassword({ password, confirmPassword }, ann);

const TOO_SHORT = 'Use at least 8 characters.';
const TOO_LONG = 'Use at most 128 characters.';
const NO_CAPITAL = 'Include at least one capital letter.';
const NO_NUMBER = 'Include at least one number.';
const COMMON = 'This password is too common; choose one that is harder to guess.';
const PERSONAL = 'Do not use your login name or extension in the password.';

describe('given Ann choosing a password (login 101@acme, extension 101)', () => {
  it.each(['Harbor-Kite-42', 'Kx7pQm2z', 'Ünïcode-Straße9'])(
    'accepts a good password with no problems: %s',
    (password) => {
      expect(check(password)).toEqual({});
    },
  );

  it('accepts 8 and 128 characters, and rejects 7 and 129', () => {
    expect(check('Kx7pQm2z')).toEqual({});
    expect(check('Kx7pQm2')).toEqual({ password: [TOO_SHORT] });
    expect(check('K7' + 'x'.repeat(126))).toEqual({});
    expect(check('K7' + 'x'.repeat(127))).toEqual({ password: [TOO_LONG] });
  });

  it('counts characters, not UTF-16 units: 7 characters with an emoji are too short', () => {
    expect(check('Kx7pQm😀')).toEqual({ password: [TOO_SHORT] });
  });

  it('requires a capital letter', () => {
    expect(check('harbor-kite-42')).toEqual({ password: [NO_CAPITAL] });
  });

  it('requires a number', () => {
    expect(check('Harbor-Kite-Fox')).toEqual({ password: [NO_NUMBER] });
  });

  it('requires the confirmation to equal the password, on fields.confirmPassword', () => {
    expect(check('Harbor-Kite-42', 'Harbor-Kite-43')).toEqual({ confirmPassword: ['The passwords do not match.'] });
  });

  it.each(['Password1', 'Qwerty123', 'PASSWORD1'])(
    'rejects a common password though it fits every other rule: %s',
    (password) => {
      expect(check(password)).toEqual({ password: [COMMON] });
    },
  );

  it('rejects a password containing the extension', () => {
    expect(check('Secure101Pass')).toEqual({ password: [PERSONAL] });
  });

  it('rejects a password equal to or containing the login name, in any case', () => {
    expect(check('101@acme')).toEqual({ password: [NO_CAPITAL, PERSONAL] });
    expect(check('My-101@ACME')).toEqual({ password: [PERSONAL] });
  });

  it('accepts digits of the extension when they are not in a row', () => {
    expect(check('Harbor-1-0-1-Kite')).toEqual({});
  });

  it('reports several problems together, with the confirmation', () => {
    expect(check('qxz-vbw', 'qxz-vbv')).toEqual({
      password: [TOO_SHORT, NO_CAPITAL, NO_NUMBER],
      confirmPassword: ['The passwords do not match.'],
    });
  });
});

describe('given a context without a login name', () => {
  it('does not reject a good password for an empty login name', () => {
    expect(
      checkPassword(
        { password: 'Harbor-Kite-42', confirmPassword: 'Harbor-Kite-42' },
        { loginName: '', extension: '' },
      ),
    ).toEqual({});
  });
});
