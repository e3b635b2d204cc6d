import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Download, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './support/app';
import { PHONE, fitsWidth, launchChromium, look, newPerson, shot } from './support/browser';
import { completeSetupViaApi, holdOperation, recordOperation, signInToApi, type ApiSession } from './support/graphql';
import { linkFrom, outbox, welcomeTo } from './support/outbox';
import { waitFor } from './support/waitFor';

const PASSWORD = 'Harbor-Kite-42';
const MANAGER = 'olivia.manager@acme.example';

const rows = (page: Page) => page.locator('main tbody tr');
const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);
const importDialog = (page: Page) => page.getByRole('dialog', { name: 'Import users' });
const previewRow = (page: Page, line: number) => importDialog(page).locator(`tr[data-line="${line}"]`);
const statusOptions = (page: Page) => page.getByLabel('Status').locator('option').allTextContents();

// Four good rows and three bad ones: an email that is none, an extension a demo user has, a role
// that is none. The taken one has a comma in its name, so the download must quote it.
const HEADER = ['Name', 'Extension', 'Email', 'Secondary Email', 'Role'];
const STAFF = [
  ['Ines Duarte', '301', 'ines.duarte@acme.example', '', 'user'],
  ['Kofi Mensah', '302', 'kofi.mensah@acme.example', 'kofi@home.example', 'Office Manager'],
  ['Lena Park', '303', 'not-an-email', '', 'user'],
  ['Rossi, Marco', '101', 'marco.rossi@acme.example', '', 'auditor'],
  ['Nora Quinn', '304', 'nora.quinn@acme.example', '', 'boss'],
  ['Omar Haddad', '305', 'omar.haddad@acme.example', '', ''],
  ['Pia Schmidt', '306', 'pia.schmidt@acme.example', '', 'auditor'],
];
const quoted = (cell: string) => (/[",]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
const STAFF_CSV = [HEADER, ...STAFF].map((r) => r.map(quoted).join(',')).join('\r\n') + '\r\n';
const NEW_NAMES = ['Ines Duarte', 'Kofi Mensah', 'Omar Haddad', 'Pia Schmidt'];

async function signIn(page: Page, loginName: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Login name').fill(loginName);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/organization/users');
}

/** The file a download event hands over, as text. */
async function downloaded(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; text: string; path: string }> {
  const [download] = (await Promise.all([page.waitForEvent('download'), click()])) as [Download, void];
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8'), path };
}

async function openImport(page: Page) {
  await page.getByRole('button', { name: 'Import users' }).click();
  await importDialog(page).waitFor();
}

describe.sequential('given the demo organization, its office manager importing a spreadsheet', () => {
  let app: RunningApp;
  let browser: Browser;
  let manager: Page;
  let files: string;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchChromium()]);
    files = mkdtempSync(join(tmpdir(), 'keyturn-import-'));
    writeFileSync(join(files, 'staff.csv'), STAFF_CSV);
    writeFileSync(
      join(files, 'contacts.csv'),
      'name,extension,email,phone\r\nAnn Lee,401,ann@acme.example,555-0101\r\n',
    );
    await completeSetupViaApi(await linkFrom(app.dataDir, welcomeTo(MANAGER)), PASSWORD, '2580');
    manager = await newPerson(browser, app.url);
    await signIn(manager, '100@acme');
  });
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    if (manager) await shot(manager, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`, { checked: false });
    console.error(`service output so far:\n${app.output().slice(-4000)}`);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  it('previews every row with the reasons of the bad ones, imports the good ones with welcome emails, and gives back the rejected rows', async () => {
    await rows(manager).nth(24).waitFor();
    const opener = manager.getByRole('button', { name: 'Import users' });
    await openImport(manager);
    const dialog = importDialog(manager);
    const field = dialog.getByLabel('CSV file');
    // the dialog opens on the file field; nothing can be imported before a file is checked
    expect(await isFocused(field)).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);

    // a file that is no user list: one sentence from the server, beside the field, and the focus back on it
    await field.setInputFiles(join(files, 'contacts.csv'));
    const refusal = dialog.getByTestId('import-file-problem');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('This file cannot be imported.');
    expect(await refusal.textContent()).toContain('Unknown column: "phone".');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => isFocused(field)).toBe(true);
    await look(manager, 'import-file-refused', { fullPage: false });

    // the staff file: checked in a dry run, every row shown, the bad ones with their reasons
    await field.setInputFiles(join(files, 'staff.csv'));
    const counts = dialog.getByTestId('import-counts');
    await counts.waitFor();
    expect(await counts.textContent()).toBe('4 users will be created, 3 rows have problems.');
    expect(await refusal.count()).toBe(0);
    await expect.poll(() => isFocused(dialog.getByRole('heading', { name: 'Preview' }))).toBe(true);
    expect(await dialog.locator('tbody tr').count()).toBe(7);
    const text = async (line: number) => (await previewRow(manager, line).innerText()).replace(/\s+/g, ' ');
    expect(await text(2)).toMatch(/Ines Duarte .*Will be created as 301@acme/);
    expect(await previewRow(manager, 3).textContent()).toContain('kofi@home.example');
    const reasons = {
      4: 'email: Enter an email address like name@example.com.',
      5: 'extension: Extension 101 is already taken in this organization.',
      6: 'role: Choose a role: user, office manager or auditor.',
    };
    for (const [line, reason] of Object.entries(reasons)) {
      const row = previewRow(manager, Number(line));
      expect(await row.getAttribute('class')).toContain('rejected');
      expect(await text(Number(line))).toContain(`Not imported ${reason}`);
    }
    expect(await previewRow(manager, 2).getAttribute('class')).not.toContain('rejected');
    await dialog.getByLabel('Show only the rows with problems').check();
    expect(await dialog.locator('tbody tr').count()).toBe(3);
    await look(manager, 'import-preview', { fullPage: false });
    await dialog.getByLabel('Show only the rows with problems').uncheck();

    // the rejected rows as a file: the author's header and cells, a problem column, nothing else
    const rejected = await downloaded(manager, () =>
      dialog.getByRole('button', { name: 'Download rejected rows' }).first().click(),
    );
    expect(rejected.name).toBe('staff-rejected.csv');
    expect(rejected.text.startsWith('\uFEFF')).toBe(true);
    const records = parse(rejected.text, { bom: true }) as string[][];
    expect(records).toEqual([
      [...HEADER, 'problem'],
      [...STAFF[2]!, reasons[4]],
      [...STAFF[3]!, reasons[5]],
      [...STAFF[4]!, reasons[6]],
    ]);

    // the import, with welcome emails: the server is held at the first progress answer so it can be seen
    const following = await holdOperation(manager, 'BulkWelcomeProgress');
    await dialog.getByLabel('Send welcome emails').check();
    const run = dialog.getByRole('button', { name: 'Import 4 users' });
    await run.click();
    const progress = dialog.getByTestId('bulk-progress');
    await following.held();
    await expect.poll(() => isFocused(progress)).toBe(true);
    expect(await progress.getAttribute('aria-live')).toBe('polite');
    expect(await progress.textContent()).toMatch(/Sending welcome emails: \d of 4/);
    await look(manager, 'import-progress', { fullPage: false });
    await following.release();
    const result = dialog.getByTestId('import-result');
    await result.waitFor();
    await expect.poll(() => isFocused(dialog.getByRole('heading', { name: 'Result' }))).toBe(true);
    const said = (await result.textContent())?.replace(/\s+/g, ' ');
    expect(said).toContain('Created 4 users; 3 rows were not imported.');
    expect(said).toContain('Sent: 4 welcome emails; delivered: 4.');
    await look(manager, 'import-result', { fullPage: false });
    await manager.unrouteAll();
    for (const address of [
      'ines.duarte@acme.example',
      'kofi.mensah@acme.example',
      'omar.haddad@acme.example',
      'pia.schmidt@acme.example',
    ])
      await linkFrom(app.dataDir, welcomeTo(address));
    expect(outbox(app.dataDir).some((e) => e.to.includes('nora.quinn@acme.example'))).toBe(false);

    // Done: the focus goes back to the button, and the list, read again, has the new users
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => isFocused(opener)).toBe(true);
    await expect.poll(() => statusOptions(manager)).toContain('All statuses (30)');
    await manager.getByLabel('Search by name, extension or login name').fill('30');
    await manager.waitForURL('**/organization/users?q=30');
    await expect.poll(() => rows(manager).count()).toBe(4);
    const listed = (await rows(manager).allTextContents()).join(' ');
    for (const name of NEW_NAMES) expect(listed).toContain(name);
    expect(listed).toMatch(/Invite pending/);
  });

  it('gives a sample file that passes a dry run as it is, and fits at 390 px', async () => {
    const phone = await newPerson(browser, app.url, PHONE);
    await signIn(phone, '100@acme');
    await openImport(phone);
    const dialog = importDialog(phone);
    expect(await fitsWidth(phone)).toBe(true);
    const sample = await downloaded(phone, () => dialog.getByRole('button', { name: 'Download a sample CSV' }).click());
    expect(sample.name).toBe('keyturn-users-sample.csv');
    expect(sample.text.split('\r\n')[0]).toBe('name,extension,email,secondary email,role');
    expect((parse(sample.text) as string[][]).length).toBe(3);

    // picked again as the person would, under the name it was saved with
    writeFileSync(join(files, sample.name), readFileSync(sample.path));
    await dialog.getByLabel('CSV file').setInputFiles(join(files, sample.name));
    const counts = dialog.getByTestId('import-counts');
    await counts.waitFor();
    expect(await counts.textContent()).toBe('2 users will be created.');
    expect(await dialog.locator('tr.rejected').count()).toBe(0);
    expect(await dialog.getByRole('button', { name: 'Download rejected rows' }).count()).toBe(0);
    expect(await fitsWidth(phone)).toBe(true);
    await shot(phone, 'import-sample-390', { fullPage: false });

    // a dry run: Cancel leaves nothing behind
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await phone.getByLabel('Search by name, extension or login name').fill('Ann Lee');
    await phone.waitForURL('**/organization/users?q=Ann+Lee');
    await phone.getByText('No users match.', { exact: false }).waitFor();
    await phone.context().close();
  });
});

describe.sequential('given welcome links that expire within the reminder window (WELCOME_LINK_TTL 2 h)', () => {
  let app: RunningApp;
  let browser: Browser;
  let manager: Page;
  let api: ApiSession;

  const idOf = async (search: string) => {
    const answer = await api.ask<{ users: { edges: { node: { id: string } }[] } }>(
      'query($s: String!) { users(search: $s) { edges { node { id } } } }',
      { s: search },
    );
    return answer.data!.users.edges[0]!.node.id;
  };

  beforeAll(async () => {
    // every welcome link has 2 h left, inside the 4 h reminder window: each one "expires soon"
    [app, browser] = await Promise.all([startApp({ WELCOME_LINK_TTL: '2h' }), launchChromium()]);
    await completeSetupViaApi(await linkFrom(app.dataDir, welcomeTo(MANAGER)), PASSWORD, '2580');
    api = await signInToApi(app.url, '100@acme', PASSWORD);
    for (const [name, extension] of [
      ['Zed One', '401'],
      ['Zed Two', '402'],
      ['Zed Three', '403'],
    ] as const) {
      const made = await api.ask('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
        i: { name, extension, email: `${name.replace(' ', '.').toLowerCase()}@acme.example`, role: 'USER' },
      });
      expect(made.errors).toBeUndefined();
    }
    const leaver = await api.ask('mutation($id: ID!) { deactivateUser(userId: $id) { id } }', {
      id: await idOf('Zed Three'),
    });
    expect(leaver.errors).toBeUndefined();
    // 25 of the 26 not invited get a welcome email; the auditor has had hers since the demo was seeded
    const notInvited = await api.ask<{ users: { edges: { node: { id: string } }[] } }>(
      'query { users(status: [NOT_INVITED], first: 25) { edges { node { id } } } }',
    );
    const sent = await api.ask('mutation($ids: [ID!]) { sendWelcomeEmails(userIds: $ids) { sent } }', {
      ids: notInvited.data!.users.edges.map((e) => e.node.id),
    });
    expect(sent.data).toEqual({ sendWelcomeEmails: { sent: 25 } });
    manager = await newPerson(browser, app.url);
    await signIn(manager, '100@acme');
  });
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    if (manager) await shot(manager, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`, { checked: false });
    console.error(`service output so far:\n${app.output().slice(-4000)}`);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('counts the users of each status in the filter, and "Link expires soon" with select-all-matching reaches exactly those', async () => {
    // 1 active (the manager), 26 invited (25 staff and the auditor), all expiring soon, 1 not invited, 1 deactivated
    await expect
      .poll(
        async () => {
          await manager.reload();
          await rows(manager).first().waitFor();
          return statusOptions(manager);
        },
        { timeout: 15_000 },
      )
      .toEqual([
        'All statuses (29)',
        'Not invited (1)',
        'Invite pending (26)',
        'Link expires soon (26)',
        'Link expired (0)',
        'Active (1)',
        'Deactivated or erased (1)',
      ]);
    await look(manager, 'users-status-counts');

    const listed = recordOperation(manager, 'Users');
    await manager.getByLabel('Status').selectOption('EXPIRES_SOON');
    await manager.waitForURL('**/organization/users?status=EXPIRES_SOON');
    await expect.poll(() => listed).toEqual([{ expiresSoon: true, first: 25 }]);
    await expect.poll(() => rows(manager).count()).toBe(25);
    expect(await manager.getByLabel('Status').locator('option:checked').textContent()).toBe('Link expires soon (26)');
    const badges = await rows(manager).locator('.badge').allTextContents();
    expect(new Set(badges)).toEqual(new Set(['Invite pending']));

    // "resend to everyone in this filter": select all matching, and the filter travels with the action
    const asked = recordOperation(manager, 'SendWelcomeEmails');
    await manager.getByRole('checkbox', { name: 'Select all users on this page' }).check();
    await manager.getByRole('button', { name: 'Select all 26 matching users' }).click();
    await manager.getByRole('button', { name: 'Bulk Action' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Bulk Action' });
    await dialog.getByRole('radio', { name: /Send Welcome Email/ }).check();
    await dialog.getByRole('button', { name: 'Complete Action' }).click();
    await dialog.getByTestId('bulk-summary').waitFor();
    expect(await dialog.getByTestId('bulk-summary').textContent()).toContain('Sent: 26 welcome emails.');
    expect(asked).toEqual([{ allMatching: { expiresSoon: true } }]);
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('shows when the reminder of a link went out, on the user page and in the audit history', async () => {
    // The scheduler sweeps every 30 s: wait for the state, not for a time.
    const auditor = await idOf('199');
    await waitFor(
      async () =>
        (
          await api.ask<{ user: { welcomeReminderSentAt: string | null } }>(
            'query($id: ID!) { user(id: $id) { welcomeReminderSentAt } }',
            { id: auditor },
          )
        ).data?.user.welcomeReminderSentAt,
      { timeoutMs: 75_000, intervalMs: 500, what: () => 'the reminder of the auditor’s welcome link' },
    );
    await manager.goto(`/organization/users/${auditor}/advanced`);
    const reminder = manager.getByTestId('reminder-sent');
    await reminder.waitFor();
    expect(await reminder.textContent()).toMatch(/^Reminder sent (just now|\d+\s*min ago)/);
    expect(await manager.getByTestId('link-expiry').textContent()).toMatch(/expires in 1\s*h 5\d\s*min/);
    await look(manager, 'user-advanced-reminder');

    await manager.goto('/audit?type=WelcomeReminderSent');
    await rows(manager).first().waitFor();
    expect(await manager.locator('tbody').textContent()).toContain(
      'Reminder sent to arthur.auditor@acme.example: the setup link expires in 2 hours, at',
    );
    await shot(manager, 'audit-reminder-1280');
  });
});
