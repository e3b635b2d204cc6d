import type { OpenAccountState } from '../accounts/account.js';
import type { AccountEvent } from '../accounts/events.js';
import { signLink, type LinkPurpose } from '../links/linkToken.js';
import type { OutgoingEmail } from './emailSender.js';
import type { EmailJob } from './emailJobs.js';
import { renderEmail, type EmailTemplateInput } from './templates.js';

interface RenderContext {
  organizationName: string;
  publicUrl: string;
  linkSecret: Buffer;
}

type DataOf<T extends AccountEvent['type']> = Extract<AccountEvent, { type: T }>['data'];

/** Who gets the notice of an email change (the address taken off), and what replaced it. */
function emailChangeNotice(job: EmailJob): { to: string; replacedBy: { replacedBy?: string } } {
  switch (job.event.type) {
    case 'DesignatedEmailChanged': {
      const data = job.data as DataOf<'DesignatedEmailChanged'>;
      return { to: data.previousEmail, replacedBy: { replacedBy: data.email } };
    }
    case 'SecondaryEmailAdded': {
      const data = job.data as DataOf<'SecondaryEmailAdded'>;
      return { to: data.previousEmail ?? data.email, replacedBy: { replacedBy: data.email } };
    }
    default: {
      const data = job.data as DataOf<'SecondaryEmailRemoved'>;
      return { to: data.email, replacedBy: {} };
    }
  }
}

/** The page that opens a link of each purpose. */
const linkPages = { welcome: '/setup', reset: '/reset-password', 'pin-reset': '/reset-pin' } satisfies Record<
  LinkPurpose,
  string
>;

/** The link is rebuilt from the event: nothing secret was ever stored. */
export function renderJob(job: EmailJob, account: OpenAccountState, ctx: RenderContext): OutgoingEmail {
  const sentAt = new Date(job.event.metadata.occurredAt);
  const accountId = account.id;
  let input: EmailTemplateInput;
  let to: string[];
  /** What every email carrying a link says alike: who it is for, the link, and until when it works. */
  const linkEmail = (purpose: LinkPurpose, linkId: string, data: { expiresAt: string }) => ({
    userName: account.name,
    loginName: account.loginName,
    link: `${ctx.publicUrl}${linkPages[purpose]}?token=${signLink(ctx.linkSecret, purpose, accountId, linkId)}`,
    expiresAt: new Date(data.expiresAt),
    sentAt,
  });
  switch (job.kind) {
    case 'welcome':
    case 'welcome-reminder': {
      // The reminder carries the welcome email's own link.
      const data = job.data as DataOf<'WelcomeEmailSent' | 'WelcomeReminderSent'>;
      input = { kind: job.kind, organizationName: ctx.organizationName, ...linkEmail('welcome', data.inviteId, data) };
      to = data.recipients;
      break;
    }
    case 'reset': {
      const data = job.data as DataOf<'ResetRequested'>;
      input = { kind: 'reset', ...linkEmail('reset', data.resetId, data) };
      to = data.recipients;
      break;
    }
    case 'login-name': {
      const data = job.data as DataOf<'LoginNameRequested'>;
      // Events from before `pendingLoginNames` render as they did: every name ready to sign in.
      input = {
        kind: 'login-name',
        loginNames: data.loginNames,
        ...(data.pendingLoginNames ? { pendingLoginNames: data.pendingLoginNames } : {}),
        signInUrl: `${ctx.publicUrl}/sign-in`,
      };
      to = [data.to];
      break;
    }
    case 'password-changed': {
      const data = job.data as DataOf<'PasswordChanged'>;
      input = { kind: 'password-changed', userName: account.name, loginName: account.loginName, changedAt: sentAt };
      to = data.recipients;
      break;
    }
    case 'email-changed': {
      const notice = emailChangeNotice(job);
      input = {
        kind: 'email-changed',
        userName: account.name,
        loginName: account.loginName,
        changedAt: sentAt,
        ...notice.replacedBy,
      };
      to = [notice.to];
      break;
    }
    case 'extension-changed': {
      // The names come from the event, not the account: a later change gets its own notice.
      const data = job.data as DataOf<'ExtensionChanged'>;
      input = {
        kind: 'extension-changed',
        userName: account.name,
        previousExtension: data.from,
        extension: data.to,
        loginName: data.loginName,
        previousLoginName: data.previousLoginName,
        changedAt: sentAt,
        setupCompleted: account.status === 'active',
        signInUrl: `${ctx.publicUrl}/sign-in`,
      };
      to = data.recipients;
      break;
    }
    case 'pin-reset': {
      // Its own MAC purpose: this token cannot reset a password, nor a password-reset token a PIN.
      const data = job.data as DataOf<'PinResetRequested'>;
      input = { kind: 'pin-reset', ...linkEmail('pin-reset', data.resetId, data) };
      to = data.recipients;
      break;
    }
  }
  const rendered = renderEmail(input);
  return { ...rendered, to, kind: job.kind, metadata: { accountId, refId: job.refId, kind: job.kind } };
}
