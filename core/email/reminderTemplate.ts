import { button, labelled, page, paragraph } from './html.js';
import { formatUtc, timeUntil } from './when.js';

export interface WelcomeReminderInput {
  kind: 'welcome-reminder';
  organizationName: string;
  userName: string;
  loginName: string;
  /** the same link as the welcome email's */
  link: string;
  expiresAt: Date;
  sentAt: Date;
}

const lines = (...parts: string[]) => parts.join('\n\n') + '\n';

/** A nudge, not a new invitation: the welcome email's own link, and how little time it has left. */
export function welcomeReminder(i: WelcomeReminderInput) {
  const ms = i.expiresAt.getTime() - i.sentAt.getTime();
  const left = ms > 0 && ms < 30_000 ? 'in less than a minute' : timeUntil(i.expiresAt, i.sentAt);
  const subject = `Reminder: your ${i.organizationName} setup link expires ${left}`;
  const intro = `Your business phone account at ${i.organizationName} is waiting: you have not completed its setup yet.`;
  const expiry = `Your setup link expires ${left} (${formatUtc(i.expiresAt)}).`;
  const after = 'After that, ask your office manager to send you a new welcome email.';
  return {
    subject,
    html: page(subject, [
      paragraph(`Hello ${i.userName},`),
      paragraph(intro),
      labelled('Your login name is', i.loginName),
      button('Complete Setup', i.link),
      paragraph(expiry),
      paragraph(after),
    ]),
    text: lines(
      `Hello ${i.userName},`,
      intro,
      `Your login name is: ${i.loginName}`,
      `Complete Setup: ${i.link}`,
      expiry,
      after,
    ),
  };
}
