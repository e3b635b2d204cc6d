import type { OpenAccountState } from '../accounts/account.js';
import type { AccountEvent } from '../accounts/events.js';
import { signLink } from '../links/linkToken.js';
import type { OutgoingEmail } from './emailSender.js';
import type { EmailJob } from './emailJobs.js';
import { renderEmail, type EmailTemplateInput } from './templates.js';

interface RenderContext {
  organizationName: string;
  publicUrl: string;
  linkSecret: Buffer;
}

type DataOf<T extends AccountEvent['type']> = Extract<AccountEvent, { type: T }>['data'];

/** The link is rebuilt from the event: nothing secret was ever stored. */
export function renderJob(job: EmailJob, account: OpenAccountState, ctx: RenderContext): OutgoingEmail {
  const sentAt = new Date(job.event.metadata.occurredAt);
  const accountId = account.id;
  let input: EmailTemplateInput;
  let to: string[];
  switch (job.kind) {
    case 'welcome': {
      const data = job.data as DataOf<'WelcomeEmailSent'>;
      const token = signLink(ctx.linkSecret, 'welcome', accountId, data.inviteId);
      input = {
        kind: 'welcome',
        organizationName: ctx.organizationName,
        userName: account.name,
        loginName: account.loginName,
        link: `${ctx.publicUrl}/setup?token=${token}`,
        expiresAt: new Date(data.expiresAt),
        sentAt,
      };
      to = data.recipients;
      break;
    }
    case 'reset': {
      const data = job.data as DataOf<'ResetRequested'>;
      const token = signLink(ctx.linkSecret, 'reset', accountId, data.resetId);
      input = {
        kind: 'reset',
        userName: account.name,
        loginName: account.loginName,
        link: `${ctx.publicUrl}/reset-password?token=${token}`,
        expiresAt: new Date(data.expiresAt),
        sentAt,
      };
      to = data.recipients;
      break;
    }
    case 'login-name': {
      const data = job.data as DataOf<'LoginNameRequested'>;
      input = { kind: 'login-name', loginNames: data.loginNames, signInUrl: `${ctx.publicUrl}/` };
      to = [data.to];
      break;
    }
    case 'password-changed': {
      const data = job.data as DataOf<'PasswordChanged'>;
      input = { kind: 'password-changed', userName: account.name, loginName: account.loginName, changedAt: sentAt };
      to = data.recipients;
      break;
    }
  }
  const rendered = renderEmail(input);
  return { ...rendered, to, kind: job.kind, metadata: { accountId, refId: job.refId, kind: job.kind } };
}
