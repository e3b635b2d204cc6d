import { describe, expect, it } from 'vitest';
import { checkPassword } from '../../../../core/accounts/passwordPolicy.js';
import { checkPin } from '../../../../core/accounts/pinPolicy.js';
import { passwordProblems } from './passwordRules';
import { pinProblems } from './pinRules';

// The browser's checklist mirrors the server's rules; these specs keep the two saying the same.
const context = { loginName: '101@acme', extension: '101' };
const COMMON = 'This password is too common; choose one that is harder to guess.';

const passwords = ['', 'a', 'harbor', 'Harbor', 'harbor42', 'Harbor-Kite-42', 'Ünïcode-Pass-9', 'X'.repeat(129) + '1', 'Kite-101-Harbor', 'My101@ACME-pass', 'Password1', '12345678', 'ÄÖÜ12345'];
const pins = ['', '1', '12', '123', '1234', '4321', '0123', '9876', '1111', '2580', '101', '1012', '25a0', '٢٥٨٠', '12345678901234567', '1357913579', '0000'];

describe('given the server policies in core/accounts', () => {
  it.each(passwords)('finds the same password problems for %j as the server, the common-password list aside', (password) => {
    for (const confirmPassword of [password, `${password}x`]) {
      const server = checkPassword({ password, confirmPassword }, context);
      const withoutCommon = Object.fromEntries(
        Object.entries(server)
          .map(([field, messages]) => [field, messages.filter((m) => m !== COMMON)] as const)
          .filter(([, messages]) => messages.length > 0),
      );
      expect(passwordProblems({ password, confirmPassword }, context)).toEqual(withoutCommon);
    }
  });

  it.each(pins)('finds the same PIN problems for %j as the server', (pin) => {
    expect(pinProblems(pin, context.extension)).toEqual(checkPin(pin, context.extension));
  });
});
