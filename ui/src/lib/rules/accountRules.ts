/**
 * The name and extension rules of `core/validation.ts` and `core/accounts/account.ts`, mirrored so a
 * typo is answered at once, in the server's words; the server stays the authority (it also knows
 * which extensions are taken). `accountMirror.unit.spec.ts` keeps the two in step.
 */
const NAME_MAX = 100;
const EXTENSION = /^[0-9]{2,10}$/;

export const EXTENSION_MESSAGE = 'An extension is 2 to 10 digits.';
export const NAME_MESSAGE = `Enter a name of 1 to ${NAME_MAX} characters.`;

/** The server trims a name, then counts its characters (not UTF-16 units). */
export function nameProblems(name: string): string[] {
  const trimmed = name.trim();
  return trimmed.length === 0 || [...trimmed].length > NAME_MAX ? [NAME_MESSAGE] : [];
}

/** The resolver trims the extension before the decider checks it. */
export const extensionProblems = (extension: string): string[] =>
  EXTENSION.test(extension.trim()) ? [] : [EXTENSION_MESSAGE];

/** `<extension>@<organization domain>`, as the server builds it; the domain is the part after "@". */
export function loginNameFor(extension: string, currentLoginName: string): string | undefined {
  const domain = currentLoginName.split('@')[1];
  return domain && extensionProblems(extension).length === 0 ? `${extension.trim()}@${domain}` : undefined;
}
