import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './support/app';
import { PHONE, fitsWidth, launchChromium, look, newPerson, shot } from './support/browser';
import { linkFrom, welcomeTo } from './support/outbox';

const PASSWORD = 'Harbor-Kite-42';
const ELENA = 'elena.silva4@acme.example';

const rows = (page: Page) => page.locator('tbody tr');
const rowOf = (page: Page, name: string) => rows(page).filter({ has: page.getByRole('link', { name, exact: true }) });
const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);
const meta = (page: Page) => page.getByTestId('user-meta');

async function completeSetup(page: Page, link: string) {
  await page.goto(link);
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByLabel('Voicemail PIN').fill('2580');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: "You're all set" }).waitFor();
}

async function signIn(page: Page, loginName: string) {
  if (!page.url().includes('/sign-in')) await page.goto('/sign-in');
  await page.getByLabel('Login name').fill(loginName);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/** The user's page, found the way an office manager finds it: by searching the list. */
async function openUser(page: Page, search: string, name: string, tab: 'Profile' | 'Advanced' = 'Profile') {
  await page.goto(`/organization/users?q=${encodeURIComponent(search)}`);
  await rowOf(page, name).getByRole('link', { name }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  if (tab === 'Advanced') {
    await page.getByRole('link', { name: 'Advanced' }).click();
    await page.getByRole('heading', { name: 'User Setup' }).waitFor();
  }
}

/** The newest rows of one event type in the audit history, as text. */
async function auditText(page: Page, type: string) {
  await page.goto(`/audit?type=${type}`);
  await rows(page).first().waitFor();
  return page.locator('tbody').textContent();
}

describe.sequential('given the demo organization, its office manager signed in', () => {
  let app: RunningApp;
  let browser: Browser;
  let manager: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchChromium()]);
    manager = await newPerson(browser, app.url);
    await completeSetup(manager, await linkFrom(app.dataDir, welcomeTo('olivia.manager@acme.example')));
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

  it('edits name, role and extension on the Profile tab, showing the new login name before saving', async () => {
    await openUser(manager, '103', 'Chloe Rossi');

    // the name, with the keyboard: Enter saves, the focus comes back to the button
    const changeName = manager.getByRole('button', { name: 'Change name' });
    await changeName.click();
    const name = manager.getByLabel('New name');
    expect(await isFocused(name)).toBe(true);
    await name.fill('   ');
    await name.press('Enter');
    await manager.locator('#name-errors').getByText('Enter a name of 1 to 100 characters.').waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await name.fill('Chloe Rossi-Park');
    await name.press('Enter');
    await manager.getByText('Name changed to Chloe Rossi-Park.').waitFor();
    await manager.getByRole('heading', { name: 'Chloe Rossi-Park', level: 1 }).waitFor();
    await expect.poll(() => isFocused(changeName)).toBe(true);

    // Escape is Cancel: nothing changes, the focus goes back
    await changeName.press('Enter');
    await manager.getByLabel('New name').fill('Someone Else');
    await manager.keyboard.press('Escape');
    await expect.poll(() => isFocused(changeName)).toBe(true);
    expect(await manager.getByTestId('name-value').textContent()).toBe('Chloe Rossi-Park');

    // the role
    await manager.getByRole('button', { name: 'Change role' }).click();
    await manager.getByLabel('New role').selectOption('AUDITOR');
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager.getByText('Role changed to auditor.').waitFor();
    expect(await meta(manager).textContent()).toContain('Auditor');

    // the extension: the rule mirrored at once, then the server's "taken", then the new login name before saving
    const changeExtension = manager.getByRole('button', { name: 'Change extension' });
    await changeExtension.click();
    const extension = manager.getByLabel('New extension');
    const preview = manager.getByTestId('extension-preview');
    await extension.fill('1x');
    expect(await preview.textContent()).toBe('');
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager.locator('#extension-errors').getByText('An extension is 2 to 10 digits.').waitFor();
    expect(await extension.getAttribute('aria-invalid')).toBe('true');
    await extension.fill('104');
    // typing again takes the old sentence away
    expect(await manager.locator('#extension-errors').count()).toBe(0);
    expect(await preview.textContent()).toBe('New login name: 104@acme');
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager
      .locator('#extension-errors')
      .getByText('Extension 104 is already taken in this organization.')
      .waitFor();
    expect(await isFocused(extension)).toBe(true);
    await extension.fill('141');
    expect(await preview.textContent()).toBe('New login name: 141@acme');
    expect(await extension.getAttribute('aria-describedby')).toContain('extension-preview');
    await look(manager, 'user-profile-extension-preview');
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager
      .getByText('Extension changed to 141; the login name is now 141@acme. Chloe Rossi-Park is told by email.')
      .waitFor();
    expect(await manager.getByTestId('login-name').textContent()).toBe('141@acme');
    expect(await meta(manager).textContent()).toContain('Extension 141 · 141@acme · Auditor');
    await expect.poll(() => isFocused(changeExtension)).toBe(true);
    await shot(manager, 'user-profile-edited-1280');

    // the list says the same
    await manager.getByRole('link', { name: '← All users' }).click();
    await manager.getByLabel('Search by name, extension or login name').fill('141');
    await manager.waitForURL('**/organization/users?q=141');
    await expect.poll(() => rows(manager).count()).toBe(1);
    expect(await rows(manager).first().textContent()).toMatch(/Chloe Rossi-Park\s*141/);

    // the last office manager cannot give up the role: the server's sentence, beside the field
    await openUser(manager, '100', 'Olivia Manager');
    await manager.getByRole('button', { name: 'Change role' }).click();
    await manager.getByLabel('New role').selectOption('USER');
    await manager.getByText('This is your own role: as user you can no longer manage users.').waitFor();
    await manager.getByRole('button', { name: 'Save' }).click();
    await manager
      .locator('#role-errors')
      .getByText(
        'The last active office manager of this organization: make someone else an office manager before changing this role.',
      )
      .waitFor();
    await manager.getByRole('button', { name: 'Cancel' }).click();
    expect(await manager.getByTestId('role-value').textContent()).toBe('Office manager');
  });

  it('sends an active user a PIN reset email, signs them out everywhere, deactivates them with the dialog and reactivates them', async () => {
    // Elena completes setup and signs in, in her own browser
    await openUser(manager, '105', 'Elena Silva', 'Advanced');
    await manager.getByRole('button', { name: 'Send Welcome Email' }).click();
    await manager.getByRole('dialog').getByRole('button', { name: 'Send Welcome Email' }).click();
    const elena = await newPerson(browser, app.url);
    await completeSetup(elena, await linkFrom(app.dataDir, welcomeTo(ELENA)));
    await signIn(elena, '105@acme');
    await elena.waitForURL('**/profile');

    await manager.reload();
    await manager.getByRole('heading', { name: 'Sign-in and access' }).waitFor();
    expect(await meta(manager).textContent()).toContain('Active');
    await look(manager, 'user-advanced-active');

    // PIN reset: asked first, then sent; the focus is back on the button
    const pinButton = manager.getByRole('button', { name: 'Send PIN Reset Email' });
    await pinButton.click();
    const pinDialog = manager.getByRole('dialog', { name: 'Send a PIN reset email?' });
    expect(await pinDialog.textContent()).toContain(ELENA);
    await pinDialog.getByRole('button', { name: 'Send PIN Reset Email' }).click();
    await manager.getByTestId('access-done').getByText(`PIN reset email sent to ${ELENA}.`).waitFor();
    await expect.poll(() => isFocused(pinButton)).toBe(true);
    await linkFrom(app.dataDir, (e) => e.kind === 'pin-reset' && e.to.includes(ELENA));

    // signing out everywhere ends Elena's session
    await manager.getByRole('button', { name: 'Sign Out Everywhere' }).click();
    await manager
      .getByRole('dialog', { name: 'Sign Elena Silva out everywhere?' })
      .getByRole('button', { name: 'Sign Out Everywhere' })
      .click();
    await manager.getByText('Elena Silva is signed out everywhere.', { exact: false }).waitFor();
    await elena.goto('/profile');
    await elena.waitForURL('**/sign-in**');
    await signIn(elena, '105@acme');

    // deactivating: the dialog says what happens, takes a reason, and the focus lands on the section heading
    const deactivate = manager.getByRole('button', { name: 'Deactivate' });
    await deactivate.focus();
    await manager.keyboard.press('Enter');
    const dialog = manager.getByRole('dialog', { name: 'Deactivate Elena Silva?' });
    const said = await dialog.textContent();
    expect(said).toContain('Every session ends at once: Elena Silva is signed out on every device and cannot sign in.');
    expect(said).toContain('Every link already emailed to them stops working');
    expect(said).toContain('Keyturn sends them no more emails');
    await dialog.getByLabel('Reason (optional)').fill('Left the company');
    await look(manager, 'deactivate-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await manager.getByTestId('access-done').getByText('Elena Silva is deactivated', { exact: false }).waitFor();
    await expect.poll(() => isFocused(manager.getByRole('heading', { name: 'Sign-in and access' }))).toBe(true);
    expect(await meta(manager).textContent()).toMatch(/Deactivated since/);
    expect(await manager.getByRole('button', { name: 'Send PIN Reset Email' }).count()).toBe(0);
    expect(await manager.getByRole('button', { name: 'Sign Out Everywhere' }).count()).toBe(0);
    expect(await manager.getByRole('button', { name: 'Send Welcome Email' }).count()).toBe(0);
    await manager.getByRole('heading', { name: 'Danger zone: erase personal data' }).waitFor();
    await look(manager, 'user-advanced-deactivated');

    // her session ended, and she cannot sign in while deactivated
    await elena.goto('/profile');
    await elena.waitForURL('**/sign-in**');
    await elena.getByLabel('Login name').fill('105@acme');
    await elena.getByLabel('Password').fill(PASSWORD);
    await elena.getByRole('button', { name: 'Sign in' }).click();
    await elena.getByRole('alert').waitFor();
    expect(elena.url()).toContain('/sign-in');

    // the list shows her apart, and the status filter finds her
    await manager.goto('/organization/users?status=DEACTIVATED');
    await expect.poll(() => rows(manager).count()).toBe(1);
    expect(await rowOf(manager, 'Elena Silva').locator('.badge').textContent()).toBe('Deactivated');
    expect(await manager.getByLabel('Status').locator('option:checked').textContent()).toBe('Deactivated or erased (1)');

    // reactivating
    await openUser(manager, '105', 'Elena Silva', 'Advanced');
    await manager.getByRole('button', { name: 'Reactivate' }).click();
    const back = manager.getByRole('dialog', { name: 'Reactivate Elena Silva?' });
    expect(await back.textContent()).toContain('can sign in again with their password');
    await back.getByRole('button', { name: 'Reactivate' }).click();
    await manager.getByTestId('access-done').getByText('Elena Silva is reactivated.').waitFor();
    await expect.poll(() => isFocused(manager.getByRole('heading', { name: 'Sign-in and access' }))).toBe(true);
    expect(await meta(manager).textContent()).toContain('Active');
    await signIn(elena, '105@acme');
    await elena.waitForURL('**/profile');
    await elena.context().close();

    // the history in words
    await expect
      .poll(() => auditText(manager, 'AccountDeactivated'))
      .toContain('Olivia Manager deactivated the account, saying: “Left the company”.');
    expect(await auditText(manager, 'AccountReactivated')).toContain('Olivia Manager reactivated the account.');
    expect(await auditText(manager, 'PinResetRequested')).toContain(
      `Olivia Manager sent a PIN reset email to ${ELENA}`,
    );
    expect(await auditText(manager, 'SignedOutEverywhere')).toContain('Olivia Manager signed the user out everywhere');
    expect(await auditText(manager, 'ExtensionChanged')).toContain(
      'Olivia Manager changed the extension from 103 to 141.',
    );
    expect(await auditText(manager, 'RoleChanged')).toContain('Olivia Manager changed the role from User to Auditor.');
    expect(await auditText(manager, 'AccountRenamed')).toContain(
      'Olivia Manager renamed the account from Chloe Rossi to Chloe Rossi-Park.',
    );
    // the new types are in the Event filter
    const types = await manager.getByLabel('Event').locator('option').allTextContents();
    expect(types).toEqual(
      expect.arrayContaining([
        'Account deactivated',
        'Account erased',
        'Extension changed',
        'PIN reset email sent',
        'Voicemail PIN changed',
      ]),
    );
    await manager.goto('/audit');
    await rows(manager).nth(10).waitFor();
    await look(manager, 'audit-movers');
  });

  it('deactivates users in bulk from the list, skipping the office manager herself with the reason', async () => {
    await manager.goto('/organization/users');
    await rows(manager).nth(24).waitFor();
    for (const name of ['Farid Haddad', 'Grace Martin'])
      await manager.getByRole('checkbox', { name: `Select ${name}` }).check();
    // the ticks stay across pages: the office manager herself is on the second
    await manager.getByRole('button', { name: 'Next' }).click();
    await manager.getByRole('checkbox', { name: 'Select Olivia Manager' }).check();
    await manager.getByText('3 users selected.').waitFor();
    const bulk = manager.getByRole('button', { name: 'Bulk Action' });
    await bulk.click();
    const dialog = manager.getByRole('dialog', { name: 'Bulk Action' });
    expect(await dialog.getByRole('radio').count()).toBe(2);
    await dialog.getByRole('radio', { name: /Deactivate/ }).check();
    await look(manager, 'bulk-deactivate-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Complete Action' }).click();
    const summary = dialog.getByTestId('bulk-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Deactivated: 2 users.');
    await expect
      .poll(() => summary.textContent())
      .toMatch(/Skipped: 1\s*Olivia Manager — Your own account: ask another office manager to deactivate it\./);
    await expect.poll(() => isFocused(dialog.getByRole('heading', { name: 'Result' }))).toBe(true);
    await look(manager, 'bulk-deactivate-result', { fullPage: false });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => isFocused(bulk)).toBe(true);

    // the list, read again: the manager still active; both others shown apart
    await expect.poll(() => rowOf(manager, 'Olivia Manager').locator('.badge').textContent()).toBe('Active');
    await manager
      .getByRole('button', { name: 'First page' })
      .or(manager.getByRole('button', { name: 'Previous' }))
      .click();
    await expect.poll(() => rowOf(manager, 'Farid Haddad').locator('.badge').textContent()).toBe('Deactivated');
    expect(await rowOf(manager, 'Grace Martin').locator('.badge').textContent()).toBe('Deactivated');
    expect(await rowOf(manager, 'Farid Haddad').getAttribute('class')).toContain('leaver');
    await manager.getByLabel('Status').selectOption('DEACTIVATED');
    await manager.waitForURL('**/organization/users?status=DEACTIVATED');
    await expect.poll(() => rows(manager).count()).toBe(2);
    await look(manager, 'users-deactivated');
  });

  it('erases a deactivated user once their name is typed, and the page then shows "Erased user"', async () => {
    await openUser(manager, '104', 'Dev Okafor', 'Advanced');
    // not deactivated yet: no danger zone
    expect(await manager.getByRole('heading', { name: 'Danger zone: erase personal data' }).count()).toBe(0);
    await manager.getByRole('button', { name: 'Deactivate' }).click();
    await manager
      .getByRole('dialog', { name: 'Deactivate Dev Okafor?' })
      .getByRole('button', { name: 'Deactivate' })
      .click();
    await manager.getByTestId('welcome-why').waitFor();
    expect(await manager.getByTestId('welcome-why').textContent()).toContain('reactivate Dev Okafor first');

    const zone = manager.locator('section', {
      has: manager.getByRole('heading', { name: 'Danger zone: erase personal data' }),
    });
    const said = await zone.textContent();
    expect(said).toContain('The history of events: what happened to the account, when, and who did what.');
    expect(said).toContain('The name, the email addresses and any free text about the person');
    expect(said).toContain('This cannot be undone.');
    const confirm = zone.getByLabel('Type Dev Okafor to confirm');
    await confirm.fill('dev okafor');
    await zone.getByRole('button', { name: 'Erase Dev Okafor' }).click();
    await manager
      .locator('#confirm-name-errors')
      .getByText("Type the user's name exactly as shown (Dev Okafor) to confirm.")
      .waitFor();
    expect(await isFocused(confirm)).toBe(true);
    await look(manager, 'erase-zone');
    await confirm.fill('Dev Okafor');
    await confirm.press('Enter');

    const heading = manager.getByRole('heading', { name: 'Erased user', level: 1 });
    await heading.waitFor();
    await expect.poll(() => isFocused(heading)).toBe(true);
    expect(await meta(manager).textContent()).toContain('No personal data left');
    expect(await manager.getByRole('main').getByRole('button').count()).toBe(0);
    await look(manager, 'user-advanced-erased');
    await manager.getByRole('navigation', { name: 'User' }).getByRole('link', { name: 'Profile' }).click();
    await manager.getByTestId('erased-notice').waitFor();
    expect(await manager.getByRole('main').textContent()).not.toContain('dev.okafor');
    await look(manager, 'user-profile-erased');

    // its history, from the notice: the shape stays (types, times, who), the person is gone
    await manager.getByTestId('erased-notice').getByRole('link', { name: 'audit history' }).click();
    await manager.getByText('Showing Erased user').waitFor();
    // opened, deactivated, erased: Dev was never sent an email
    await expect.poll(() => rows(manager).count()).toBe(3);
    const history = (await manager.locator('tbody').textContent()) ?? '';
    expect(history).toContain('Olivia Manager erased the account');
    expect(history).toContain('Olivia Manager deactivated the account.');
    expect(history).toContain('opened for (erased) as User, designated email (erased).');
    expect(history).not.toMatch(/dev\.okafor|Dev Okafor/);
    await look(manager, 'audit-erased');

    // the list shows an erased user apart from a deactivated one; the history keeps its shape
    await manager.goto('/organization/users?status=DEACTIVATED');
    await expect.poll(() => rows(manager).count()).toBe(3);
    expect(await rowOf(manager, 'Erased user').locator('.badge').textContent()).toBe('Erased');
    expect(await rowOf(manager, 'Erased user').getAttribute('class')).toContain('erased');
    await look(manager, 'users-erased');
    await expect.poll(() => auditText(manager, 'AccountErased')).toContain('Olivia Manager erased the account');
    expect(await auditText(manager, 'AccountOpened')).toContain(
      'opened for (erased) as User, designated email (erased).',
    );
  });

  it('works at 390 px with the keyboard: the extension editor and the deactivate dialog fit, and Escape gives the focus back', async () => {
    const phone = await newPerson(browser, app.url, PHONE);
    await signIn(phone, '100@acme');
    await openUser(phone, '108', 'Hiro Berg');
    const change = phone.getByRole('button', { name: 'Change extension' });
    await change.focus();
    await phone.keyboard.press('Enter');
    // the field starts with the current extension: select it all, then type over it
    await phone.keyboard.press('Control+A');
    await phone.keyboard.type('142');
    expect(await phone.getByTestId('extension-preview').textContent()).toBe('New login name: 142@acme');
    expect(await fitsWidth(phone)).toBe(true);
    await shot(phone, 'user-profile-extension-390');
    await phone.keyboard.press('Enter');
    await phone.getByText('Extension changed to 142; the login name is now 142@acme.', { exact: false }).waitFor();
    await expect.poll(() => isFocused(change)).toBe(true);

    await phone.getByRole('link', { name: 'Advanced' }).click();
    const deactivate = phone.getByRole('button', { name: 'Deactivate' });
    await deactivate.focus();
    await phone.keyboard.press('Enter');
    await phone.getByRole('dialog', { name: 'Deactivate Hiro Berg?' }).waitFor();
    expect(await fitsWidth(phone)).toBe(true);
    await shot(phone, 'deactivate-dialog-390', { fullPage: false });
    await phone.keyboard.press('Escape');
    await expect.poll(() => isFocused(deactivate)).toBe(true);
    expect(await meta(phone).textContent()).not.toContain('Deactivated');
    await shot(phone, 'user-advanced-390');
    await phone.context().close();
  });
});
