import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostmarkStandIn, type PostmarkStandIn } from '../../core/email/postmarkStandIn.js';
import { startApp, type RunningApp } from './support/app';
import { launchChromium, newPerson, shot } from './support/browser';
import { waitFor } from './support/waitFor';

const PASSWORD = 'Harbor-Kite-42';
const TOKEN = 'ui-e2e-server-token';
const OLIVIA_OLD = 'olivia.manager@acme.example';
/** Olivia's address once she changed it herself on her Profile page */
const OLIVIA = 'olivia.home@acme.example';
const PASSWORD_HINT = 'For your security, enter your current password to change your email. We will tell your old address.';

/** The link in the newest message the stand-in accepted for `address`. */
const linkTo = (postmark: PostmarkStandIn, address: string) =>
  waitFor(() => postmark.messages.filter((m) => m.To?.includes(address) && m.ErrorCode === 0).at(-1)?.TextBody?.match(/https?:\/\/\S+/)?.[0], {
    what: () => `an email to ${address}`,
  });

describe('given a service sending through a Postmark stand-in that refuses addresses containing "inactive"', () => {
  let postmark: PostmarkStandIn;
  let app: RunningApp;
  let browser: Browser;
  let manager: Page;

  beforeAll(async () => {
    postmark = await startPostmarkStandIn({ token: TOKEN });
    [app, browser] = await Promise.all([
      startApp({ POSTMARK_SERVER_TOKEN: TOKEN, POSTMARK_API_URL: postmark.url }),
      launchChromium(),
    ]);
    manager = await newPerson(browser, app.url);
    await manager.goto(await linkTo(postmark, OLIVIA_OLD));
    await manager.getByLabel('New password').fill(PASSWORD);
    await manager.getByLabel('Confirm password').fill(PASSWORD);
    await manager.getByLabel('Voicemail PIN').fill('2580');
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager.getByRole('link', { name: 'Sign in' }).click();
    await manager.getByLabel('Password').fill(PASSWORD);
    await manager.getByRole('button', { name: 'Sign in' }).click();
    await manager.waitForURL('**/organization/users');
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await postmark?.close();
  });

  it('changes a designated email on the Profile tab, with validation messages beside the field', async () => {
    await manager.getByRole('link', { name: 'Ben Tanaka' }).click();
    await manager.getByRole('heading', { name: 'Ben Tanaka' }).waitFor();
    await manager.getByRole('button', { name: 'Change designated email' }).click();
    const field = manager.getByLabel('New designated email');
    // Ben's address is not the manager's own: no password asked
    expect(await manager.getByLabel('Current password').count()).toBe(0);
    await field.fill('ben at acme');
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager.locator('#designated-email-errors').getByText('Enter an email address like name@example.com.').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');

    await field.fill('ben.inactive@acme.example');
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager.getByText('Designated email changed to ben.inactive@acme.example.').waitFor();
    expect(await manager.locator('#designated-email-label + .value').textContent()).toBe('ben.inactive@acme.example');
  });

  it('refuses a second email equal to the designated one with the server\'s sentence, then adds and removes one', async () => {
    await manager.getByRole('button', { name: 'Add second email' }).click();
    const field = manager.getByRole('textbox', { name: 'Second email' });
    await field.fill('ben.inactive@acme.example');
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager.locator('#second-email-errors').getByText('The second email must differ from the designated email.').waitFor();

    await field.fill('ben@home.example');
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager.getByText('Second email added: ben@home.example.').waitFor();
    await manager.getByRole('button', { name: 'Remove' }).click();
    await manager.getByText('Second email removed.').waitFor();
    expect(await manager.locator('#second-email-label + .value').textContent()).toBe('None');
  });

  it('shows a refused welcome email on the Advanced tab with the reason and what to do about it', async () => {
    await manager.getByRole('link', { name: 'Advanced' }).click();
    await manager.getByRole('heading', { name: 'User Setup' }).waitFor();
    await manager.getByRole('button', { name: 'Send Welcome Email' }).click();
    await manager.getByRole('dialog').getByRole('button', { name: 'Send Welcome Email' }).click();
    await expect
      .poll(() => manager.getByTestId('last-email').textContent(), { timeout: 15_000 })
      .toContain('Failed: inactive recipient (hard bounce or spam complaint earlier)');
    await manager.getByText('Check that the address is right, or add a second email').waitFor();
    await shot(manager, 'user-advanced-failed-email');

    // the users list tells the same in its "Last email" column
    await manager.getByRole('link', { name: '← All users' }).click();
    await manager.getByLabel('Search by name, extension or login name').fill('102');
    await manager.waitForURL('**/organization/users?q=102');
    await expect.poll(() => manager.locator('tbody tr').first().textContent()).toContain('failed — inactive recipient');
  });

  it('asks for the current password when the office manager changes her own email on her user page', async () => {
    await manager.goto('/organization/users?q=100');
    await manager.locator('tbody').getByRole('link', { name: 'Olivia Manager' }).click();
    await manager.getByRole('heading', { name: 'Olivia Manager' }).waitFor();
    await manager.getByRole('button', { name: 'Change designated email' }).click();
    expect(await manager.getByLabel('Current password').getAttribute('autocomplete')).toBe('current-password');
    await manager.getByText(PASSWORD_HINT).waitFor();
    await manager.getByRole('button', { name: 'Cancel' }).click();
    await manager.getByRole('button', { name: 'Change designated email' }).waitFor();
  });

  it('changes her own email on the Profile page only with her current password, keeping the typed address through each refusal', async () => {
    await manager.goto('/profile');
    await manager.getByRole('button', { name: 'Change designated email' }).click();
    const field = manager.getByLabel('New designated email');
    const password = manager.getByLabel('Current password');
    const passwordErrors = manager.locator('#own-email-password-errors');
    const focused = (locator: typeof field) => locator.evaluate((el) => el === document.activeElement);
    await field.fill(OLIVIA);
    expect(await password.getAttribute('autocomplete')).toBe('current-password');
    expect(await password.getAttribute('aria-describedby')).toBe('own-email-password-errors own-email-password-hint');
    expect(await manager.locator('#own-email-password-hint').textContent()).toContain(PASSWORD_HINT);

    // without the password: the server's sentence under the password field, which takes the focus
    await manager.getByRole('button', { name: 'Save' }).click();
    await passwordErrors.getByText('Enter your current password to change your own email.').waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-invalid')).toBe('false');
    expect(await focused(password)).toBe(true);
    expect(await field.inputValue()).toBe(OLIVIA);

    // a wrong one: said under the password field, the address still there
    await password.fill('Not-My-Password-9');
    expect(await passwordErrors.count()).toBe(0);
    await manager.getByRole('button', { name: 'Save' }).click();
    await passwordErrors.getByText('That is not your current password.').waitFor();
    expect(await focused(password)).toBe(true);
    expect(await field.inputValue()).toBe(OLIVIA);
    await shot(manager, 'profile-email-wrong-password');

    await password.fill(PASSWORD);
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager.getByText(`Designated email changed to ${OLIVIA}.`).waitFor();
    expect(await manager.locator('#own-email-label + .value').textContent()).toBe(OLIVIA);
    expect(await manager.getByLabel('Current password').count()).toBe(0);
    await shot(manager, 'profile-email-changed');

    // the address she left is told, and nothing else goes there any more
    await waitFor(() => postmark.messages.find((m) => m.To?.includes(OLIVIA_OLD) && m.Tag === 'email-changed' && m.ErrorCode === 0), {
      what: () => `the email-change notice to ${OLIVIA_OLD}`,
    });
  });

  it('tells the history in words: the change, the notice to the old address, and a withheld login-name email', async () => {
    const rows = (type: string) => async () => {
      await manager.goto(`/audit?type=${type}`);
      await manager.locator('tbody tr').first().waitFor();
      return manager.locator('tbody').textContent();
    };
    await expect
      .poll(rows('DesignatedEmailChanged'))
      .toContain(`Designated email changed from ${OLIVIA_OLD} to ${OLIVIA}; a notice went to ${OLIVIA_OLD}.`);
    await expect.poll(rows('EmailDelivered')).toContain(`Email-change notice delivered to ${OLIVIA_OLD}.`);

    // Ben's address asks for its login name more often than the hourly cap allows: the rest is withheld
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation($e: String!) { requestLoginName(email: $e) }', variables: { e: 'ben.inactive@acme.example' } }),
      });
      expect(response.ok).toBe(true);
    }
    await expect.poll(rows('EmailWithheld'), { timeout: 15_000 }).toContain('Login name email withheld: too many requests.');
    expect(await manager.getByLabel('Event').locator('option:checked').textContent()).toBe('Email withheld');
    expect(await manager.locator('tbody tr').first().textContent()).toContain('Ben Tanaka');
  });

  it('lets a person who forgot the password and the login name get both by email, and choose a new password', async () => {
    const person = await newPerson(browser, app.url);
    await person.goto('/sign-in');
    await person.getByRole('link', { name: 'Forgot login name' }).click();
    await person.getByLabel('Your email address').fill(OLIVIA);
    await person.getByRole('button', { name: 'Send my login name' }).click();
    await person.getByText('Check your email.').waitFor();
    await waitFor(() => postmark.messages.some((m) => m.To?.includes(OLIVIA) && m.Tag === 'login-name' && m.TextBody?.includes('100@acme')), {
      what: () => 'the login-name email',
    });

    await person.goto('/forgot-password');
    await person.getByLabel('Your email address').fill(OLIVIA);
    await person.getByRole('button', { name: 'Send reset link' }).click();
    await person.getByText('Check your email.').waitFor();
    const link = await waitFor(
      () => postmark.messages.find((m) => m.To?.includes(OLIVIA) && m.TextBody?.includes('/reset-password?token='))?.TextBody?.match(/https?:\/\/\S+/)?.[0],
      { what: () => 'the reset email' },
    );

    await person.goto(link);
    await person.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await person.getByLabel('New password').fill('short');
    await person.getByLabel('Confirm password').fill('short');
    await person.getByRole('button', { name: 'Save new password' }).click();
    await person.locator('#password-errors').getByText('Use at least 8 characters.').waitFor();
    expect(await person.locator('#password-rules .missed').count()).toBeGreaterThan(0);
    await person.getByLabel('New password').fill('Lantern-Quay-77');
    await person.getByLabel('Confirm password').fill('Lantern-Quay-77');
    await person.getByRole('button', { name: 'Save new password' }).click();
    await person.getByRole('heading', { name: 'Your password is changed' }).waitFor();
    await person.getByRole('link', { name: 'Sign in' }).click();
    await person.getByLabel('Password').fill('Lantern-Quay-77');
    await person.getByRole('button', { name: 'Sign in' }).click();
    await person.waitForURL('**/organization/users');

    // the link is spent: opening it again says so, with the form for a new one right there
    await person.goto(link);
    await person.getByRole('heading', { name: 'This link was already used' }).waitFor();
    expect(await person.getByRole('button', { name: 'Send a new link' }).count()).toBe(1);
  });
});
