import { emailKindWords } from '$lib/status';
import { roleWords, type Role } from '$lib/session';
import { dateTime } from '$lib/time';

/** Stored event types, in the words of the "Event" filter and column. Types are forever (see core). */
export const eventNames: Record<string, string> = {
  AccountOpened: 'Account opened',
  WelcomeEmailSent: 'Welcome email sent',
  SetupCompleted: 'Setup completed',
  ResetRequested: 'Password reset requested',
  PasswordChanged: 'Password changed',
  LoginNameRequested: 'Login name requested',
  DesignatedEmailChanged: 'Designated email changed',
  SecondaryEmailAdded: 'Second email added',
  SecondaryEmailRemoved: 'Second email removed',
  EmailDelivered: 'Email delivered',
  EmailDeliveryFailed: 'Email failed',
  OrganizationRegistered: 'Organization registered',
};

export const eventName = (type: string) => eventNames[type] ?? type.replace(/([a-z])([A-Z])/g, '$1 $2');

const str = (value: unknown) => (typeof value === 'string' ? value : '');
const list = (value: unknown) => (Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(' and ') : str(value));
const when = (value: unknown) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? dateTime(value) : '');
const kind = (value: unknown) => emailKindWords[str(value)] ?? 'Email';

/** What happened, as a sentence. Passwords and PINs never reach the history, so none can show here. */
export function eventDetails(type: string, data: Record<string, unknown>): string {
  switch (type) {
    case 'AccountOpened':
      return `Account ${str(data.loginName)} opened for ${str(data.name)} as ${roleWords[data.role as Role] ?? str(data.role)}, designated email ${str(data.email)}.`;
    case 'WelcomeEmailSent':
      return `Welcome email to ${list(data.recipients)}; the link works until ${when(data.expiresAt)}${data.bulkId ? ' (part of a bulk action)' : ''}.`;
    case 'SetupCompleted':
      return 'Chose a password and a voicemail PIN with the welcome link.';
    case 'ResetRequested':
      return `Reset link sent to ${list(data.recipients)}; it works until ${when(data.expiresAt)}.`;
    case 'PasswordChanged':
      return `Password changed${data.via === 'reset' ? ' with a reset link' : ''}; a notice went to ${list(data.recipients)}.`;
    case 'LoginNameRequested':
      return `Login name asked for by ${str(data.to)}${data.deliver ? '; sent' : ''}.`;
    case 'DesignatedEmailChanged':
      return `Designated email changed from ${str(data.previousEmail)} to ${str(data.email)}.`;
    case 'SecondaryEmailAdded':
      return data.previousEmail
        ? `Second email changed from ${str(data.previousEmail)} to ${str(data.email)}.`
        : `Second email ${str(data.email)} added.`;
    case 'SecondaryEmailRemoved':
      return `Second email ${str(data.email)} removed.`;
    case 'EmailDelivered':
      return `${kind(data.kind)} delivered to ${list(data.to)}.`;
    case 'EmailDeliveryFailed':
      return `${kind(data.kind)} to ${list(data.to)} failed: ${str(data.reason) || 'refused by the email provider'}.`;
    case 'OrganizationRegistered':
      return `Organization ${str(data.name)} registered with the domain ${str(data.domain)}.`;
    default:
      return Object.entries(data)
        .map(([key, value]) => `${key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}: ${list(value) || JSON.stringify(value)}`)
        .join('; ');
  }
}

