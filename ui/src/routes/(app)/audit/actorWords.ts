/**
 * The API's names for an actor who was not signed in (api/audit/auditEvent.type.ts: "Link holder",
 * and "Anonymous request" once it tells requests by email address apart); a person's name or
 * "System" is shown as it comes. Read by name, not by `actorKind`, so this works with either server.
 */
const notSignedIn = new Set(['Link holder', 'Anonymous request', 'Anonymous', 'anonymous', '']);

/**
 * Who did it. Nobody was signed in for a request by email address (the forgotten-login-name and
 * forgot-password pages) or for a form sent from an emailed link: say which of the two it was.
 */
export function actorWords(row: { type: string; actorName: string }): string {
  if (!notSignedIn.has(row.actorName)) return row.actorName;
  switch (row.type) {
    case 'LoginNameRequested':
    case 'ResetRequested':
    case 'EmailWithheld':
      return 'Someone asking by email';
    case 'SetupCompleted':
      return 'Holder of the welcome link';
    case 'PasswordChanged':
      return 'Holder of the reset link';
    case 'VoicemailPinChanged':
      return 'Holder of the PIN reset link';
    default:
      return 'Someone not signed in';
  }
}
