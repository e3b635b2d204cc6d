import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './support/app';
import { launchChromium, look, newPerson, shot } from './support/browser';
import { holdOperation, recordOperation } from './support/graphql';
import { linkFrom, outbox, welcomeTo, type OutboxEmail } from './support/outbox';

const PASSWORD = 'Harbor-Kite-42';
const rows = (page: Page) => page.locator('tbody tr');
const search = (page: Page) => page.getByLabel('Search by name, extension or login name');
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el
      ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}|${el.textContent?.trim().replace(/\s+/g, ' ').slice(0, 60) ?? ''}`
      : '';
  });

async function setUp(page: Page, link: string, { looked = false } = {}) {
  await page.goto(link);
  await page.getByRole('heading', { name: 'Complete your setup' }).waitFor();
  if (looked) await look(page, 'setup-form');
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByLabel('Voicemail PIN').fill('2580');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: "You're all set" }).waitFor();
}

async function signIn(page: Page) {
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/organization/users');
}

describe.sequential('given the demo organization with its office manager and its auditor set up', () => {
  let app: RunningApp;
  let browser: Browser;
  let manager: Page;
  let auditor: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchChromium()]);
    [manager, auditor] = await Promise.all([newPerson(browser, app.url), newPerson(browser, app.url)]);
    await setUp(manager, await linkFrom(app.dataDir, welcomeTo('olivia.manager@acme.example')), { looked: true });
    await look(manager, 'setup-done');
    await signIn(manager);
    // The auditor's own welcome email, sent by the manager (whether or not the demo sent one already)
    const earlier = outbox(app.dataDir).map((e) => e.file);
    await manager.evaluate(async () => {
      const ask = (query: string, variables: object) =>
        fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        }).then((r) => r.json() as Promise<{ data: { users: { edges: { node: { id: string } }[] } } }>);
      const found = await ask('query($s: String!) { users(search: $s) { edges { node { id } } } }', { s: '199' });
      await ask('mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id } }', {
        id: found.data.users.edges[0]!.node.id,
      });
    });
    await setUp(auditor, await linkFrom(app.dataDir, welcomeTo('arthur.auditor@acme.example'), earlier));
    await signIn(auditor);
  });
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    if (manager) await shot(manager, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`, { checked: false });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the users list with stable columns, addresses whole at 1280 px, and the name as the way to a user', async () => {
    await rows(manager).nth(24).waitFor();
    await look(manager, 'users-list');
    const widths = () =>
      manager.locator('thead th').evaluateAll((ths) => ths.map((th) => Math.round(th.getBoundingClientRect().width)));
    const before = await widths();
    // every address on one line at 1280 px: no cell breaks one mid-word
    const oneLine = await manager.locator('td.email').evaluateAll((cells) =>
      cells.every((cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size === 1;
      }),
    );
    expect(oneLine).toBe(true);
    // no pencil menus: the name leads to the user
    expect(await manager.getByRole('button', { name: /^Actions for/ }).count()).toBe(0);

    await search(manager).fill('105');
    await manager.waitForURL('**/organization/users?q=105');
    await expect.poll(() => rows(manager).count()).toBe(1);
    expect(await widths()).toEqual(before);
  });

  it('finds a user by login name, the way people name themselves on the phone', async () => {
    await search(manager).fill('100@acme');
    await manager.waitForURL('**/organization/users?q=100%40acme');
    await expect.poll(() => rows(manager).count()).toBe(1);
    expect(await rows(manager).first().textContent()).toContain('Olivia Manager');
  });

  it('keeps the list while a slow search is on its way: aria-busy, a quiet indicator after 300 ms, then the new rows at once', async () => {
    await manager.goto('/organization/users');
    await rows(manager).nth(24).waitFor();
    const content = manager.getByTestId('loading-content');
    const indicator = manager.getByTestId('loading-indicator');
    const slow = await holdOperation(manager, 'Users');
    await search(manager).fill('Ada');
    await slow.held();
    expect(await content.getAttribute('aria-busy')).toBe('true');
    expect(await rows(manager).count()).toBe(25);
    await indicator.getByText('Searching…').waitFor();
    expect(await indicator.getAttribute('role')).toBe('status');
    await look(manager, 'users-searching', { fullPage: false });
    await slow.release();
    await expect.poll(() => content.getAttribute('aria-busy')).toBe('false');
    // all rows of the new answer, none of the old: replaced in one go
    expect(await rows(manager).allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Ada')]));
    expect((await rows(manager).allTextContents()).every((text) => text.includes('Ada'))).toBe(true);
    expect(await indicator.textContent()).toBe('');
  });

  it('says a failed search within the page: the header, the search and its text stay', async () => {
    const failing = await holdOperation(manager, 'Users');
    await failing.fail();
    await search(manager).fill('Grace');
    const problem = manager.getByTestId('search-problem');
    await problem.waitFor();
    expect(await problem.getAttribute('role')).toBe('alert');
    expect(await problem.textContent()).toContain('The list could not be loaded.');
    expect(await manager.getByRole('navigation', { name: 'Main' }).count()).toBe(1);
    expect(await manager.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['Users']);
    expect(await search(manager).inputValue()).toBe('Grace');
    await look(manager, 'users-search-failed');
    await manager.unrouteAll();
    await manager.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => rows(manager).first().textContent()).toContain('Grace');
  });

  it('does not bring back a cleared search when the status changes right after', async () => {
    await manager.goto('/organization/users?q=Ada');
    await expect.poll(() => rows(manager).count()).toBe(2);
    const asked = recordOperation(manager, 'Users');
    await search(manager).fill('');
    await manager.getByLabel('Status').selectOption('NOT_INVITED');
    await manager.waitForURL((url) => url.search === '?status=NOT_INVITED');
    await expect
      .poll(() => asked.some((v) => v.search === undefined && JSON.stringify(v.status) === '["NOT_INVITED"]'))
      .toBe(true);
    await expect.poll(() => manager.getByTestId('loading-content').getAttribute('aria-busy')).toBe('false');
    expect(asked.filter((v) => v.search === 'Ada')).toEqual([]);
    expect(await search(manager).inputValue()).toBe('');
    expect(await rows(manager).count()).toBe(24);
  });

  it('explains "Bulk Action" with nothing ticked, and moves the focus through select-all, progress and result', async () => {
    await manager.goto('/organization/users');
    await rows(manager).nth(24).waitFor();
    const bulk = manager.getByRole('button', { name: 'Bulk Action' });
    const why = manager.locator('#bulk-why');
    expect(await why.getAttribute('role')).toBe('status');
    expect(await bulk.getAttribute('aria-describedby')).toBe('bulk-why');
    await bulk.focus();
    await manager.keyboard.press('Enter');
    await why.getByText('Tick one or more users first.').waitFor();
    expect(await manager.getByRole('dialog').count()).toBe(0);

    await manager.getByRole('checkbox', { name: 'Select all users on this page' }).check();
    await manager.getByRole('button', { name: 'Select all 26 matching users' }).focus();
    await manager.keyboard.press('Enter');
    await manager.getByText('All 26 matching users are selected.').waitFor();
    expect(await focused(manager)).toBe('p|All 26 matching users are selected.');
    await manager.getByRole('button', { name: 'Clear selection' }).click();
    await expect.poll(() => focused(manager)).toMatch(/^p\|Tick users to act on them/);

    // two users, with the server made slow at each step so every state can be seen
    for (const name of ['Select Ada Lovelace', 'Select Grace Martin'])
      await manager.getByRole('checkbox', { name }).check();
    const recording = await holdOperation(manager, 'SendWelcomeEmails');
    const following = await holdOperation(manager, 'BulkWelcomeProgress');
    await bulk.click();
    const dialog = manager.getByRole('dialog', { name: 'Bulk Action' });
    await look(manager, 'bulk-dialog', { fullPage: false });
    await dialog.getByRole('radio', { name: /Send Welcome Email/ }).check();
    await dialog.getByRole('button', { name: 'Complete Action' }).click();
    await recording.held();
    const progress = dialog.getByTestId('bulk-progress');
    expect(await progress.getAttribute('role')).toBe('status');
    expect(await progress.getAttribute('aria-live')).toBe('polite');
    await expect.poll(() => focused(manager)).toBe('div|Recording the welcome emails…');
    await recording.release();
    await following.held();
    await dialog.getByText(/Sending welcome emails: \d of 2/).waitFor();
    await look(manager, 'bulk-progress', { fullPage: false });
    await following.release();
    await dialog.getByTestId('bulk-summary').waitFor();
    await expect.poll(() => focused(manager)).toBe('h3#bulk-result|Result');
    await look(manager, 'bulk-result', { fullPage: false });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await manager.unrouteAll();
  });

  it('keeps the search on "← All users", and Escape cancels the inline email editor', async () => {
    await manager.goto('/organization/users?q=Grace');
    await rows(manager).first().waitFor();
    await rows(manager).first().getByRole('link').click();
    await manager.getByRole('heading', { name: 'Profile', level: 2 }).waitFor();
    await look(manager, 'user-profile');
    const change = manager.getByRole('button', { name: 'Change designated email' });
    const address = await manager.locator('#designated-email-label + .value').textContent();
    await change.click();
    await manager.getByLabel('New designated email').fill('grace@elsewhere.example');
    await look(manager, 'user-profile-editing');
    await manager.keyboard.press('Escape');
    await change.waitFor();
    expect(await manager.getByLabel('New designated email').count()).toBe(0);
    expect(await focused(manager)).toBe('button|Change designated email');
    expect(await manager.locator('#designated-email-label + .value').textContent()).toBe(address);
    // adding a second email: its field is not labelled "Second email" under the heading "Second email"
    await manager.getByRole('button', { name: 'Add second email' }).click();
    expect(await manager.getByLabel('Address for the second email').count()).toBe(1);
    await manager.keyboard.press('Escape');

    await manager.getByRole('link', { name: 'Advanced' }).click();
    await manager.getByRole('heading', { name: 'User Setup' }).waitFor();
    await look(manager, 'user-advanced');
    await manager.getByRole('link', { name: '← All users' }).click();
    await manager.waitForURL('**/organization/users?q=Grace');
    expect(await search(manager).inputValue()).toBe('Grace');
  });

  it('shows the auditor the same list and user pages without any way to change them', async () => {
    await auditor.goto('/organization/users');
    await rows(auditor).nth(24).waitFor();
    expect(await auditor.getByRole('checkbox').count()).toBe(0);
    expect(await auditor.getByRole('button', { name: /^Actions for/ }).count()).toBe(0);
    await look(auditor, 'users-list-auditor');
    await rows(auditor).first().getByRole('link').click();
    await auditor.getByRole('heading', { name: 'Profile', level: 2 }).waitFor();
    expect(await auditor.getByRole('main').getByRole('button').count()).toBe(0);
    await look(auditor, 'user-profile-auditor');
  });

  it('shows a banner while the browser is offline, and the page stays as it was', async () => {
    await manager.goto('/organization/users');
    await rows(manager).nth(24).waitFor();
    const banner = manager.getByTestId('offline-banner');
    await manager.context().setOffline(true);
    await banner.waitFor();
    expect(await banner.textContent()).toContain('You are offline.');
    expect(await rows(manager).count()).toBe(25);
    await look(manager, 'offline-users', { fullPage: false });
    // a search meanwhile fails in place, with the connection named
    await search(manager).fill('Ada');
    await manager.getByTestId('search-problem').getByText('Check your connection').waitFor();
    await manager.context().setOffline(false);
    await banner.waitFor({ state: 'detached' });
    await manager.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => rows(manager).first().textContent()).toContain('Ada');
  });

  it('shows every error page with the header and logo, one sentence, what to do next and a link onward', async () => {
    await manager.goto('/organization/nowhere');
    await manager.getByRole('heading', { name: 'This page does not exist.' }).waitFor();
    await manager.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await manager.getByRole('link', { name: 'Go to your start page' }).getAttribute('href')).toBe(
      '/organization/users',
    );
    await look(manager, 'error-404');

    const stranger = await newPerson(browser, app.url);
    await stranger.goto('/nowhere');
    await stranger.getByRole('heading', { name: 'This page does not exist.' }).waitFor();
    expect(await stranger.getByRole('link', { name: 'Keyturn' }).count()).toBe(1);
    expect(await stranger.getByRole('link', { name: 'Go to sign in' }).count()).toBe(1);
    await look(stranger, 'error-404-signed-out');

    // a dead link: the page says so and where to go
    await stranger.goto('/setup?token=not-a-real-token');
    await stranger.getByRole('heading', { name: 'This link does not work' }).waitFor();
    expect(await stranger.getByRole('link', { name: 'Go to sign in' }).count()).toBe(1);
    await look(stranger, 'setup-dead-link');
    await stranger.context().close();

    // the API out of reach while a page loads
    await manager.route('**/graphql', (route) => route.abort('connectionrefused'));
    await manager.goto('/profile');
    await manager.getByRole('heading', { name: 'Keyturn cannot be reached right now.' }).waitFor();
    expect(await manager.getByRole('navigation', { name: 'Main' }).count()).toBe(1);
    expect(await manager.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    await look(manager, 'error-network');
    await manager.unrouteAll();
  });

  it('shows the profile and the audit pages, naming who asked by email and who held a link', async () => {
    await manager.goto('/profile');
    await manager.getByRole('heading', { name: 'Your profile' }).waitFor();
    await look(manager, 'profile');

    // someone asks for the auditor's login name and a reset link, and uses the link
    const person = await newPerson(browser, app.url);
    await person.goto('/forgot-login-name');
    await person.getByRole('heading', { name: 'Forgot your login name?' }).waitFor();
    await look(person, 'forgot-login-name');
    await person.getByLabel('Your email address').fill('arthur.auditor@acme.example');
    await person.getByRole('button', { name: 'Send my login name' }).click();
    await person.getByText('Check your email.').waitFor();
    await person.goto('/forgot-password');
    await person.getByLabel('Your email address').fill('arthur.auditor@acme.example');
    await person.getByRole('button', { name: 'Send reset link' }).click();
    await person.getByText('Check your email.').waitFor();
    await person.getByText('the email says until when the link works', { exact: false }).waitFor();
    await look(person, 'forgot-password-sent');
    await person.goto(
      await linkFrom(
        app.dataDir,
        (e: OutboxEmail) => e.kind === 'reset' && e.to.includes('arthur.auditor@acme.example'),
      ),
    );
    await person.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await person.getByTestId('link-expiry').textContent()).toMatch(/This link expires in \d/);
    // sent empty: "at least 8" is broken, "at most 128" is not
    await person.getByRole('button', { name: 'Save new password' }).click();
    await person.locator('#password-errors').getByText('Use at least 8 characters.').waitFor();
    expect(await person.locator('#password-rules [data-rule="min-length"]').getAttribute('data-missed')).toBe('true');
    expect(await person.locator('#password-rules [data-rule="max-length"]').getAttribute('data-missed')).toBe('false');
    await look(person, 'reset-form-empty');
    await person.getByLabel('New password').fill('Lantern-Quay-77');
    await person.getByLabel('Confirm password').fill('Lantern-Quay-77');
    await person.getByRole('button', { name: 'Save new password' }).click();
    await person.getByRole('heading', { name: 'Your password is changed' }).waitFor();
    await look(person, 'reset-done');
    await person.getByRole('link', { name: 'Sign in' }).click();
    expect(await person.getByLabel('Login name').inputValue()).toBe('199@acme');
    await expect.poll(() => focused(person)).toBe('input#password|');
    await look(person, 'sign-in');
    await person.context().close();

    const who = async (type: string) => {
      await manager.goto(`/audit?type=${type}`);
      await rows(manager).first().waitFor();
      return manager.locator('tbody tr td[data-label="Who"]').first().textContent();
    };
    await expect.poll(() => who('LoginNameRequested'), { timeout: 15_000 }).toBe('Someone asking by email');
    await expect.poll(() => who('ResetRequested')).toBe('Someone asking by email');
    expect(await who('PasswordChanged')).toBe('Holder of the reset link');
    expect(await who('SetupCompleted')).toBe('Holder of the welcome link');
    await manager.goto('/audit');
    await rows(manager).nth(10).waitFor();
    await look(manager, 'audit');
  });
});
