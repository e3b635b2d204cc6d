import { describe, expect, it } from 'vitest';
import { validateName } from '../../../../core/accounts/account.js';
import { KeyturnError } from '../../../../core/errors.js';
import { EXTENSION_MESSAGE as CORE_EXTENSION_MESSAGE, EXTENSION_PATTERN } from '../../../../core/validation.js';
import { EXTENSION_MESSAGE, extensionProblems, loginNameFor, nameProblems } from './accountRules';

// The Profile tab answers a bad name or extension before it asks the server; these keep the two saying the same.
const serverNameProblems = (name: string): string[] => {
  try {
    validateName(name);
    return [];
  } catch (error) {
    if (!(error instanceof KeyturnError)) throw error;
    return (error.fields?.name as string[] | undefined) ?? [error.message];
  }
};
const serverExtensionProblems = (extension: string) =>
  EXTENSION_PATTERN.test(extension.trim()) ? [] : [CORE_EXTENSION_MESSAGE];

const names = [
  '',
  ' ',
  'A',
  'Olivia Park',
  '  Olivia Park  ',
  'Ünïcode Nàme',
  'x'.repeat(100),
  'x'.repeat(101),
  '👩‍💼'.repeat(14),
  'é'.repeat(100),
];
const extensions = ['', '1', '12', '101', ' 141 ', '1x', '12345678901', '1234567890', '١٢٣', '-12', '1 2'];

describe('given the account rules in core', () => {
  it.each(names)('finds the same name problems for %j as the server', (name) => {
    expect(nameProblems(name)).toEqual(serverNameProblems(name));
  });

  it.each(extensions)('finds the same extension problems for %j as the server', (extension) => {
    expect(extensionProblems(extension)).toEqual(serverExtensionProblems(extension));
  });

  it('uses the server sentence for a bad extension', () => {
    expect(EXTENSION_MESSAGE).toBe(CORE_EXTENSION_MESSAGE);
  });
});

describe('given a login name of the organization', () => {
  it('shows the new login name for a valid extension only', () => {
    expect(loginNameFor(' 141 ', '101@acme')).toBe('141@acme');
    expect(loginNameFor('1x', '101@acme')).toBeUndefined();
    expect(loginNameFor('141', '')).toBeUndefined();
  });
});
