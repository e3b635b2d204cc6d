import { welcomeReminder, type WelcomeReminderInput } from './reminderTemplate.js';
import type { EmailKind } from '../accounts/events.js';
import { button, labelled, list, page, paragraph } from './html.js';
import { expirySentence, formatUtc } from './when.js';

/**
 * What each email needs, and nothing more: the only secret that ever reaches a template is the link
 * (the reactor rebuilds it from the event). `sentAt` is passed in so "expires in N hours" is
 * deterministic and testable.
 */
export type EmailTemplateInput =
  | WelcomeReminderInput
  | {
      kind: 'welcome';
      organizationName: string;
      userName: string;
      loginName: string;
      link: string;
      expiresAt: Date;
      sentAt: Date;
    }
  | { kind: 'reset'; userName: string; loginName: string; link: string; expiresAt: Date; sentAt: Date }
  /**
   * `pendingLoginNames`: those of `loginNames` whose account has not completed setup. `signInUrl` is
   * optional: without it the text only names the sign-in page.
   */
  | { kind: 'login-name'; loginNames: string[]; pendingLoginNames?: string[]; signInUrl?: string }
  | { kind: 'password-changed'; userName: string; loginName: string; changedAt: Date }
  /**
   * To the address an email change took off the account. `replacedBy` is shown masked
   * (`j•••@example.com`): enough for the owner to recognise, too little to give it away.
   */
  | { kind: 'email-changed'; userName: string; loginName: string; replacedBy?: string; changedAt: Date }
  /**
   * To the user whose extension changed: their login name is made of it, so the old one stops working.
   * `setupCompleted: false` (no password yet) points to the welcome email instead of to signing in;
   * `signInUrl` as for the login-name email.
   */
  | {
      kind: 'extension-changed';
      userName: string;
      previousExtension: string;
      extension: string;
      loginName: string;
      previousLoginName: string;
      changedAt: Date;
      setupCompleted: boolean;
      signInUrl?: string;
    }
  | { kind: 'pin-reset'; userName: string; loginName: string; link: string; expiresAt: Date; sentAt: Date };

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

// Fails to compile when an EmailKind has no template, or a template has a kind the domain does not know.
type SameKinds = [EmailKind] extends [EmailTemplateInput['kind']]
  ? [EmailTemplateInput['kind']] extends [EmailKind]
    ? true
    : never
  : never;
const kindsCovered: SameKinds = true;
void kindsCovered;

type Input<K extends EmailKind> = Extract<EmailTemplateInput, { kind: K }>;

const lines = (...parts: string[]) => parts.join('\n\n') + '\n';

function welcome(i: Input<'welcome'>): RenderedEmail {
  const subject = `Welcome to ${i.organizationName} — complete your phone account setup`;
  const intro = `${i.organizationName} has set up a business phone account for you.`;
  const purpose = 'The link lets you choose your password and your voicemail PIN.';
  const expiry = expirySentence(i.expiresAt, i.sentAt);
  const expired = 'If the link has expired, ask your office manager to send you a new welcome email.';
  return {
    subject,
    html: page(subject, [
      paragraph(`Hello ${i.userName},`),
      paragraph(intro),
      labelled('Your login name is', i.loginName),
      button('Complete Setup', i.link),
      paragraph(purpose),
      paragraph(expiry),
      paragraph(expired),
    ]),
    text: lines(
      `Hello ${i.userName},`,
      intro,
      `Your login name is: ${i.loginName}`,
      `Complete Setup: ${i.link}`,
      purpose,
      expiry,
      expired,
    ),
  };
}

/** A password or PIN reset: the same layout, its own words. */
function resetLink(
  i: Input<'reset' | 'pin-reset'>,
  words: { subject: string; intro: string; action: string; ignore: string },
): RenderedEmail {
  const { subject, intro, action, ignore } = words;
  const expiry = expirySentence(i.expiresAt, i.sentAt);
  return {
    subject,
    html: page(subject, [
      paragraph(`Hello ${i.userName},`),
      paragraph(intro),
      labelled('Login name:', i.loginName),
      button(action, i.link),
      paragraph(expiry),
      paragraph(ignore),
    ]),
    text: lines(`Hello ${i.userName},`, intro, `Login name: ${i.loginName}`, `${action}: ${i.link}`, expiry, ignore),
  };
}

const reset = (i: Input<'reset'>) =>
  resetLink(i, {
    subject: 'Reset your password',
    intro: 'Someone asked to reset the password of your phone portal account.',
    action: 'Choose a new password',
    ignore: 'If you did not ask for this, ignore this email; your password stays unchanged.',
  });

const pinReset = (i: Input<'pin-reset'>) =>
  resetLink(i, {
    subject: 'Reset your voicemail PIN',
    intro: 'Someone asked to reset the voicemail PIN of your phone account.',
    action: 'Choose a new PIN',
    ignore: 'If you did not ask for this, ignore this email; your voicemail PIN stays unchanged.',
  });

const oneOrSeveral = (names: string[], one: string, several: string) => (names.length > 1 ? several : one);

/**
 * Login names whose account completed setup get the way to sign in; those that never did have no
 * password yet, so theirs say how to complete setup instead (a request may name both kinds).
 */
function loginName(i: Input<'login-name'>): RenderedEmail {
  if (i.loginNames.length === 0) throw new Error('a login-name email needs at least one login name');
  const pendingSet = new Set(i.pendingLoginNames ?? []);
  const ready = i.loginNames.filter((name) => !pendingSet.has(name));
  const pending = i.loginNames.filter((name) => pendingSet.has(name));
  const subject = oneOrSeveral(i.loginNames, 'Your login name', 'Your login names');
  const intro = oneOrSeveral(
    i.loginNames,
    'This login name belongs to the account that uses this email address:',
    'These login names belong to accounts that use this email address:',
  );
  const both = ready.length > 0 && pending.length > 0;
  const html = [paragraph(intro)];
  const text = [intro];
  const group = (heading: string, names: string[], what: string) => {
    if (both) html.push(paragraph(heading));
    html.push(list(names), paragraph(what));
    text.push(...(both ? [heading] : []), names.map((name) => `  - ${name}`).join('\n'), what);
  };
  if (ready.length > 0) {
    const which = oneOrSeveral(ready, 'this login name', 'one of these login names');
    group(
      'Ready to sign in:',
      ready,
      // "Forgot password" as the sign-in page names its link, so the reader finds it there
      `To sign in, open the phone portal sign-in page and enter ${which} with its password. ` +
        'If you forgot the password, choose "Forgot password" there.',
    );
    if (i.signInUrl) {
      html.push(button('Sign in', i.signInUrl));
      text.push(`Sign in: ${i.signInUrl}`);
    }
  }
  if (pending.length > 0) {
    group(
      'Setup not completed yet:',
      pending,
      `${oneOrSeveral(pending, 'This account has', 'These accounts have')} not completed setup yet, ` +
        'so there is no password to sign in with. To complete setup, open the Complete Setup link in your welcome email. ' +
        'If the link has expired or you cannot find the email, ask your office manager to send you a new welcome email.',
    );
  }
  const ignore = 'If you did not ask for this, you can ignore this email.';
  return { subject, html: page(subject, [...html, paragraph(ignore)]), text: lines(...text, ignore) };
}

function passwordChanged(i: Input<'password-changed'>): RenderedEmail {
  const subject = 'Your password was changed';
  const what = `The password of your phone portal account was changed on ${formatUtc(i.changedAt)}.`;
  const warn = "If this wasn't you, contact your office manager right away.";
  return {
    subject,
    html: page(subject, [
      paragraph(`Hello ${i.userName},`),
      paragraph(what),
      labelled('Login name:', i.loginName),
      paragraph(warn),
    ]),
    text: lines(`Hello ${i.userName},`, what, `Login name: ${i.loginName}`, warn),
  };
}

/** `jane@example.com` → `j•••@example.com` */
export const maskEmail = (address: string) => {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '•••' : `${address[0]}•••${address.slice(at)}`;
};

function emailChanged(i: Input<'email-changed'>): RenderedEmail {
  const subject = 'Your Keyturn email was changed';
  const when = formatUtc(i.changedAt);
  const what = i.replacedBy
    ? `The email of your Keyturn phone portal account was changed to ${maskEmail(i.replacedBy)} on ${when}. Emails for the account, such as password reset links, no longer come to this address.`
    : `This address was removed from your Keyturn phone portal account on ${when}. Emails for the account, such as password reset links, no longer come here.`;
  const warn = 'If this was not you, call your office manager right away.';
  return {
    subject,
    html: page(subject, [
      paragraph(`Hello ${i.userName},`),
      paragraph(what),
      labelled('Login name:', i.loginName),
      paragraph(warn),
    ]),
    text: lines(`Hello ${i.userName},`, what, `Login name: ${i.loginName}`, warn),
  };
}

/**
 * The new login name up front: the user's next sign-in needs it. Only someone who has a password is
 * told to sign in with it; an account that never completed setup is pointed to its welcome email.
 */
function extensionChanged(i: Input<'extension-changed'>): RenderedEmail {
  const subject = 'Your phone extension and login name have changed';
  const what = `Your phone extension was changed from ${i.previousExtension} to ${i.extension} on ${formatUtc(i.changedAt)}.`;
  const previous = `Your previous login name, ${i.previousLoginName}, no longer works.`;
  const next = i.setupCompleted
    ? 'Your password stays the same: sign in with the new login name and the password you already have.'
    : 'Your account has not completed setup yet. To complete it, open the Complete Setup link in your welcome email; ' +
      'from then on, sign in with the new login name. If the link has expired, ask your office manager to send you a new welcome email.';
  const signIn = i.setupCompleted && i.signInUrl ? i.signInUrl : undefined;
  const warn = 'If you did not expect this change, ask your office manager.';
  return {
    subject,
    html: page(subject, [
      paragraph(`Hello ${i.userName},`),
      paragraph(what),
      labelled('Your login name is now', i.loginName),
      paragraph(previous),
      paragraph(next),
      ...(signIn ? [button('Sign in', signIn)] : []),
      paragraph(warn),
    ]),
    text: lines(
      `Hello ${i.userName},`,
      what,
      `Your login name is now: ${i.loginName}`,
      previous,
      next,
      ...(signIn ? [`Sign in: ${signIn}`] : []),
      warn,
    ),
  };
}

/** Subject, HTML and plain-text body for one email; every interpolated value is escaped in the HTML. */
export function renderEmail(input: EmailTemplateInput): RenderedEmail {
  switch (input.kind) {
    case 'welcome':
      return welcome(input);
    case 'reset':
      return reset(input);
    case 'login-name':
      return loginName(input);
    case 'password-changed':
      return passwordChanged(input);
    case 'email-changed':
      return emailChanged(input);
    case 'extension-changed':
      return extensionChanged(input);
    case 'pin-reset':
      return pinReset(input);
    case 'welcome-reminder':
      return welcomeReminder(input);
    default: {
      const unhandled: never = input;
      throw new Error(`no template for ${JSON.stringify(unhandled)}`);
    }
  }
}
