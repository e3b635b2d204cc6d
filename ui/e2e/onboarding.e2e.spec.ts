import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './support/app';
import { PHONE, fitsWidth, launchChromium, look, newPerson, shot } from './support/browser';
import { linkFrom, outbox, welcomeFor, welcomeTo } from './support/outbox';

const PASSWORD = 'Harbor-Kite-42';
const PIN = '2580';

/** The row of the users table whose Extension cell is exactly `extension`. */
const row = (page: Page, extension: string) =>
  page.locator('tbody tr').filter({ has: page.locator('td:nth-child(3)', { hasText: new RegExp(`^${extension}$`) }) });

const userIdOf = async (page: Page, extension: string) =>
  (await row(page, extension).getByRole('link').first().getAttribute('href'))!.split('/').at(-1)!;

async function completeSetup(page: Page, link: string, loginName: string) {
  await page.goto(link);
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByLabel('Voicemail PIN').fill(PIN);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: "You're all set" }).waitFor();
  expect(await page.getByTestId('login-name').textContent()).toBe(loginName);
}

async function signIn(page: Page, loginName: string) {
  if (!page.url().includes('/sign-in')) await page.goto('/sign-in');
  await page.getByLabel('Login name').fill(loginName);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

describe.sequential('given the demo organization on a fresh service (office manager 100, auditor 199, staff 101–124)', () => {
  let app: RunningApp;
  let browser: Browser;
  let manager: Page;
  const invited: { extension: string; id: string }[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchChromium()]);
    manager = await newPerson(browser, app.url);
  });
  // What the manager's browser showed when a step failed: kept with the other screenshots.
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    if (manager) await shot(manager, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`, { checked: false });
    console.error(`service output so far:\n${app.output().slice(-4000)}`);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('lets the office manager complete setup from the seeded welcome link, then sign in with the keyboard', async () => {
    const link = await linkFrom(app.dataDir, welcomeTo('olivia.manager@acme.example'));
    await completeSetup(manager, link, '100@acme');

    await manager.getByRole('link', { name: 'Sign in' }).click();
    await manager.waitForURL('**/sign-in?loginName=100%40acme');
    expect(await manager.getByLabel('Login name').inputValue()).toBe('100@acme');
    await manager.getByLabel('Password').focus();
    await manager.keyboard.type(PASSWORD);
    await manager.keyboard.press('Enter');

    await manager.waitForURL('**/organization/users');
    await manager.getByRole('heading', { name: 'Users' }).waitFor();
    expect(await manager.locator('tbody tr').count()).toBe(25);
    await expect.poll(() => manager.getByText('Page 1 · 25 of 26 users shown').count()).toBe(1);
    await shot(manager, 'users-list');
  });

  it('finds a user by extension, and the address keeps the search', async () => {
    await manager.getByLabel('Search by name, extension or login name').fill('105');
    await manager.waitForURL('**/organization/users?q=105');
    await expect.poll(() => manager.locator('tbody tr').count()).toBe(1);
    expect(await row(manager, '105').count()).toBe(1);

    await manager.reload();
    expect(await manager.getByLabel('Search by name, extension or login name').inputValue()).toBe('105');
    expect(await row(manager, '105').count()).toBe(1);
    await manager.getByLabel('Search by name, extension or login name').fill('');
    await manager.waitForURL((url) => url.pathname === '/organization/users' && url.search === '');
    await expect.poll(() => manager.locator('tbody tr').count()).toBe(25);
  });

  it('bulk-sends welcome emails to three ticked users and shows progress and a summary', async () => {
    for (const extension of ['101', '102', '103']) {
      await row(manager, extension).getByRole('checkbox').check();
      invited.push({ extension, id: await userIdOf(manager, extension) });
    }
    await manager.getByText('3 users selected.').waitFor();

    await manager.getByRole('button', { name: 'Bulk Action' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Bulk Action' });
    await dialog.getByText('For 3 selected users.').waitFor();
    await shot(manager, 'bulk-dialog', { fullPage: false });

    await dialog.getByRole('radio', { name: /Send Welcome Email/ }).check();
    await dialog.getByRole('button', { name: 'Complete Action' }).click();
    const summary = dialog.getByTestId('bulk-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Sent: 3 welcome emails.');
    expect(await summary.textContent()).toContain('Skipped: 0');
    await expect.poll(() => dialog.locator('progress').evaluate((p: HTMLProgressElement) => p.value === p.max)).toBe(true);
    await shot(manager, 'bulk-summary', { fullPage: false });

    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => row(manager, '101').textContent()).toMatch(/Invite pending\s+\(23\sh 59\smin left\)/);
    for (const { id } of invited) await linkFrom(app.dataDir, welcomeFor(id));
  });

  it('lets the office manager send the auditor a welcome email from the user page, with a confirmation', async () => {
    await manager.getByLabel('Search by name, extension or login name').fill('199');
    await manager.waitForURL('**/organization/users?q=199');
    await expect.poll(() => manager.locator('tbody tr').count()).toBe(1);
    await manager.locator('tbody').getByRole('link', { name: 'Arthur Auditor' }).click();
    await manager.getByRole('link', { name: 'Advanced' }).click();
    await manager.getByRole('heading', { name: 'User Setup' }).waitFor();
    // the demo may have sent the auditor a welcome email already
    expect(await manager.getByTestId('link-expiry').textContent()).toMatch(/No link sent yet|expires in/);

    await manager.getByRole('button', { name: 'Send Welcome Email' }).click();
    const confirm = manager.getByRole('dialog', { name: 'Send a welcome email?' });
    await confirm.getByText('arthur.auditor@acme.example').waitFor();
    await confirm.getByRole('button', { name: 'Send Welcome Email' }).click();
    await manager.getByText(/Welcome email sent\. The new link expires in 23\sh 59\smin\./).waitFor();
    await expect.poll(() => manager.getByTestId('link-expiry').textContent()).toMatch(/expires in 23\sh 59\smin/);
    await expect.poll(() => manager.getByTestId('last-email').textContent(), { timeout: 15_000 }).toContain('Delivered');
    await shot(manager, 'user-advanced');
  });

  it('sends a welcome email to all 26 matching users, skipping with a reason the one who completed setup', async () => {
    await manager.goto('/organization/users');
    await manager.getByRole('checkbox', { name: 'Select all users on this page' }).check();
    await manager.getByText('25 users selected.').waitFor();
    await manager.getByRole('button', { name: 'Select all 26 matching users' }).click();
    await manager.getByText('All 26 matching users are selected.').waitFor();
    expect(await manager.getByTestId('selection-summary').evaluate((el) => el === document.activeElement)).toBe(true);

    await manager.getByRole('button', { name: 'Bulk Action' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Bulk Action' });
    await dialog.getByText('For 26 selected users.').waitFor();
    await dialog.getByRole('button', { name: 'Complete Action' }).click();
    await dialog.getByText('Choose an action first.').waitFor();
    await dialog.getByRole('radio', { name: /Send Welcome Email/ }).check();
    await dialog.getByRole('button', { name: 'Complete Action' }).click();
    const summary = dialog.getByTestId('bulk-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Sent: 25 welcome emails.');
    // Olivia (the manager) is on the second page: her name is looked up for the summary
    await expect.poll(() => summary.textContent()).toMatch(/Skipped: 1\s*Olivia Manager — Already completed setup\./);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await manager.getByText('Tick users to act on them', { exact: false }).waitFor();
  });

  it('lets a user open the newest link, fail the PIN and password rules, then complete setup and sign in', async () => {
    const user = await newPerson(browser, app.url);
    // Ada got two welcome emails (three users, then all 26): the newer link is the one that works
    const first = outbox(app.dataDir).find(welcomeFor(invited[0]!.id))!;
    const link = await linkFrom(app.dataDir, welcomeFor(invited[0]!.id), [first.file]);
    await user.goto(first.text.match(/https?:\/\/\S+/)![0]);
    await user.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await user.goto(link);
    await user.getByRole('heading', { name: 'Complete your setup' }).waitFor();

    // A common password passes every rule the browser knows: the server says so in the same round as the PIN's run.
    await user.getByLabel('New password').fill('Password1');
    await user.getByLabel('Confirm password').fill('Password1');
    await user.getByLabel('Voicemail PIN').fill('1234');
    const pinRule = (id: string) => user.locator(`#voicemail-pin-rules [data-rule="${id}"]`).getAttribute('data-met');
    expect(await pinRule('not-run')).toBe('false');
    expect(await pinRule('length')).toBe('true');
    expect(await user.locator('#password-rules [data-met="true"]').count()).toBe(6);

    await user.getByRole('button', { name: 'Save' }).click();
    await user.locator('#voicemail-pin-errors').getByText('Do not use a run of digits (like 1234 or 4321).').waitFor();
    await user.locator('#password-errors').getByText('This password is too common; choose one that is harder to guess.').waitFor();
    expect(await user.getByLabel('Voicemail PIN').getAttribute('aria-invalid')).toBe('true');
    expect(await user.getByLabel('New password').getAttribute('aria-invalid')).toBe('true');
    await shot(user, 'setup-checklist');
    await user.setViewportSize(PHONE);
    await shot(user, 'setup-server-error-390');
    expect(await fitsWidth(user)).toBe(true);

    await completeSetup(user, link, '101@acme');
    await user.getByRole('link', { name: 'Sign in' }).click();
    await signIn(user, '101@acme');
    await user.waitForURL('**/profile');
    expect(await user.getByTestId('own-login-name').textContent()).toBe('101@acme');
    // a USER has only the profile in the navigation, and the users page is not for them
    expect(await user.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Profile']);
    await user.goto('/organization/users');
    await user.getByRole('heading', { name: 'Your role does not give access to this page.' }).waitFor();
    // the error page keeps the header: the way onward is the person's own start page
    expect(await user.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Profile']);
    expect(await user.getByRole('link', { name: 'Go to your start page' }).getAttribute('href')).toBe('/profile');
    await look(user, 'error-403');

    await user.goto(link);
    await user.getByRole('heading', { name: 'This link was already used' }).waitFor();
    await user.context().close();
  });

  it('lets the auditor complete setup, read the history in words, filter it by user and export it as CSV', async () => {
    const auditor = await newPerson(browser, app.url);
    await completeSetup(auditor, await linkFrom(app.dataDir, welcomeTo('arthur.auditor@acme.example')), '199@acme');
    await signIn(auditor, '199@acme');
    await auditor.waitForURL('**/organization/users');
    // read-only: no ticking, no bulk action
    expect(await auditor.getByRole('button', { name: 'Bulk Action' }).count()).toBe(0);
    await auditor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await auditor.getByRole('heading', { name: 'Audit' }).waitFor();

    const firstRow = auditor.locator('tbody tr').first();
    expect(await firstRow.textContent()).toContain('Setup completed');
    expect(await firstRow.textContent()).toContain('Arthur Auditor');

    await auditor.getByLabel('User').fill('Ada Love');
    await auditor.getByRole('option', { name: /Ada Lovelace/ }).click();
    await auditor.waitForURL(/\/audit\?user=/);
    await auditor.getByText('Show all users').waitFor();
    const text = await auditor.locator('tbody').textContent();
    expect(text).toContain('Chose a password and a voicemail PIN with the welcome link.');
    expect(text).toMatch(/Welcome email to ada\.lovelace0@acme\.example; the link works until .+ \(part of a bulk action\)\./);
    expect(text).toContain('Welcome email delivered to ada.lovelace0@acme.example.');
    expect(text).not.toContain('Kemi');
    await shot(auditor, 'audit');

    await auditor.getByLabel('Event').selectOption({ label: 'Welcome email sent' });
    await auditor.waitForURL(/type=WelcomeEmailSent/);
    await expect.poll(() => auditor.locator('tbody tr').count()).toBe(2);

    const [download] = await Promise.all([auditor.waitForEvent('download'), auditor.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('"When (UTC)","Who","User","Extension","Event","Details","Event type","Data"');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toContain('"Olivia Manager","Ada Lovelace","101","Welcome email sent"');
    await auditor.context().close();
  });

  it('reads at 390 px: users list and audit page without sideways scrolling', async () => {
    await manager.setViewportSize(PHONE);
    await manager.goto('/organization/users');
    await manager.locator('tbody tr').first().waitFor();
    expect(await fitsWidth(manager)).toBe(true);
    await shot(manager, 'users-list-390');
    await manager.goto('/audit');
    await manager.locator('tbody tr').first().waitFor();
    expect(await fitsWidth(manager)).toBe(true);
    await shot(manager, 'audit-390', { fullPage: false });
  });

  it('tells a person who keeps guessing at sign-in how long to wait, in the server\'s words', async () => {
    const guesser = await newPerson(browser, app.url);
    await guesser.goto('/sign-in');
    await guesser.getByLabel('Login name').fill('999@acme');
    const alert = guesser.getByRole('alert');
    // five wrong tries are answered as wrong; the sixth is not checked at all
    for (let i = 0; i < 6; i++) {
      await guesser.getByLabel('Password').fill(`Wrong-Guess-${i}`);
      await Promise.all([guesser.waitForResponse('**/graphql'), guesser.getByRole('button', { name: 'Sign in' }).click()]);
    }
    await expect.poll(() => alert.textContent()).toMatch(/^Too many failed sign-ins\. Please try again in \d+ seconds\.$/);
    await shot(guesser, 'sign-in-rate-limited');
    await guesser.context().close();
  });

  it('signs the office manager out from the profile page', async () => {
    await manager.goto('/profile');
    expect(await manager.getByTestId('own-login-name').textContent()).toBe('100@acme');
    await manager.getByRole('main').getByRole('button', { name: 'Sign out of this device' }).click();
    await manager.waitForURL('**/sign-in');
    await manager.goto('/organization/users');
    await manager.waitForURL('**/sign-in?next=%2Forganization%2Fusers');
  });
});
