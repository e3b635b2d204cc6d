import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './support/app';
import { PHONE, fitsWidth, launchChromium, look, newPerson, shot } from './support/browser';
import { askApi, completeSetupViaApi, recordOperation, signInToApi, type ApiSession } from './support/graphql';
import { linkFrom, welcomeFor, welcomeTo } from './support/outbox';

const FIRST_PASSWORD = 'Harbor-Kite-42';
const NEW_PASSWORD = 'Lantern-Quay-77';
const ADA = '101@acme';

const focused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

async function signIn(page: Page, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Login name').fill(ADA);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/profile');
}

describe.sequential(
  'given Ada (extension 101) set up and signed in on her profile, and her office manager signed in over the API',
  () => {
    let app: RunningApp;
    let browser: Browser;
    let ada: Page;
    let manager: ApiSession;
    let adaId: string;
    let password = FIRST_PASSWORD;

    const sessions = () => ada.getByTestId('session');
    const passwordSection = () => ada.getByRole('region', { name: 'Password' });
    const pinSection = () => ada.getByRole('region', { name: 'Voicemail PIN' });

    beforeAll(async () => {
      [app, browser] = await Promise.all([startApp(), launchChromium()]);
      await completeSetupViaApi(
        await linkFrom(app.dataDir, welcomeTo('olivia.manager@acme.example')),
        FIRST_PASSWORD,
        '2580',
      );
      manager = await signInToApi(app.url, '100@acme', FIRST_PASSWORD);
      const found = await manager.ask<{ users: { edges: { node: { id: string } }[] } }>(
        '{ users(search: "101") { edges { node { id } } } }',
      );
      adaId = found.data!.users.edges[0]!.node.id;
      await manager.ask('mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id } }', { id: adaId });
      expect(await completeSetupViaApi(await linkFrom(app.dataDir, welcomeFor(adaId)), FIRST_PASSWORD, '2580')).toBe(
        ADA,
      );
      ada = await newPerson(browser, app.url);
      await signIn(ada, FIRST_PASSWORD);
    });
    afterEach(async ({ task }) => {
      if (task.result?.state !== 'fail') return;
      if (ada) await shot(ada, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`, { checked: false });
      console.error(`service output so far:\n${app.output().slice(-4000)}`);
    });
    afterAll(async () => {
      await browser?.close();
      await app?.stop();
    });

    it('lists this browser and another device, and signs the other one out: it leaves the list and stops working', async () => {
      const phone = await signInToApi(app.url, ADA, password);
      await ada.reload();
      await expect.poll(() => sessions().count()).toBe(2);
      // this browser first, marked; the other named by its browser and system
      expect(await sessions().first().getAttribute('data-current')).toBe('true');
      expect(await sessions().first().textContent()).toMatch(/Chrome on Linux\s*This device/);
      expect(await sessions().first().textContent()).toContain('Last active Now');
      const other = sessions().filter({ hasText: 'Firefox on Windows' });
      expect(await other.textContent()).toMatch(/Signed in .+Last active just now/);
      expect(await other.textContent()).not.toContain('This device');
      await look(ada, 'profile-account');

      await other.getByRole('button', { name: /^Sign out of Firefox on Windows, signed in / }).click();
      await ada.getByRole('status').getByText('Firefox on Windows is signed out.').waitFor();
      await expect.poll(() => sessions().count()).toBe(1);
      expect(await focused(ada.getByRole('heading', { name: 'Your sessions' }))).toBe(true);
      expect(await phone.works()).toBe(false);
      expect(await sessions().textContent()).toContain('This device');
      await shot(ada, 'profile-sessions-one-left');
    });

    it('changes the password with the live checklist; a wrong current password is said at its field, and every other session ends', async () => {
      const phone = await signInToApi(app.url, ADA, password);
      expect(await phone.works()).toBe(true);
      await ada.reload();
      await expect.poll(() => sessions().count()).toBe(2);

      const section = passwordSection();
      // closed until asked for: no current-password field for a password manager to fill
      expect(await section.getByLabel('Current password').count()).toBe(0);
      await section.getByRole('button', { name: 'Change password' }).click();
      const current = section.getByLabel('Current password');
      expect(await focused(current)).toBe(true);
      expect(await current.getAttribute('autocomplete')).toBe('current-password');

      const rule = (id: string) => section.locator(`#password-rules [data-rule="${id}"]`).getAttribute('data-met');
      await section.getByLabel('New password').fill('lantern101');
      expect(await rule('min-length')).toBe('true');
      expect(await rule('capital')).toBe('false');
      expect(await rule('not-login-name')).toBe('false');
      await section.getByLabel('New password').fill(NEW_PASSWORD);
      await section.getByLabel('Confirm password').fill(NEW_PASSWORD);
      expect(await section.locator('#password-rules [data-met="true"]').count()).toBe(6);

      await current.fill('Not-My-Password-9');
      await section.getByRole('button', { name: 'Save new password' }).click();
      await section.locator('#current-password-errors').getByText('That is not your current password.').waitFor();
      expect(await current.getAttribute('aria-invalid')).toBe('true');
      expect(await focused(current)).toBe(true);
      expect(await section.getByLabel('New password').inputValue()).toBe(NEW_PASSWORD);
      expect(await phone.works()).toBe(true);
      await shot(ada, 'profile-password-wrong-current');

      await current.fill(password);
      expect(await section.locator('#current-password-errors').count()).toBe(0);
      await section.getByRole('button', { name: 'Save new password' }).click();
      await section.getByTestId('password-saved').waitFor();
      expect(await section.getByTestId('password-saved').textContent()).toContain(
        'Every other session is signed out; this one stays.',
      );
      expect(await section.getByLabel('Current password').count()).toBe(0);
      expect(await focused(section.getByRole('button', { name: 'Change password' }))).toBe(true);
      password = NEW_PASSWORD;

      // the other device is out, this browser is not, and the list says so without a reload
      expect(await phone.works()).toBe(false);
      expect((await phone.ask('{ me { id } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await expect.poll(() => sessions().count()).toBe(1);
      await shot(ada, 'profile-password-changed');
      await ada.reload();
      await ada.getByRole('heading', { name: 'Your profile' }).waitFor();
      expect(ada.url()).toMatch(/\/profile$/);
    });

    it('changes the voicemail PIN: nothing is sent without the password, the extension is refused by its rule, a good PIN is saved', async () => {
      const section = pinSection();
      await section.getByRole('button', { name: 'Change voicemail PIN' }).click();
      const pin = section.getByLabel('New voicemail PIN');
      const sent = recordOperation(ada, 'ChangeVoicemailPin');

      // without the current password: said at once, and no try reaches the sign-in throttle
      await pin.fill('101');
      expect(await section.locator('#voicemail-pin-rules [data-rule="not-extension"]').getAttribute('data-met')).toBe(
        'false',
      );
      await section.getByRole('button', { name: 'Save new PIN' }).click();
      await section.locator('#pin-current-password-errors').getByText('Enter your current password.').waitFor();
      expect(await focused(section.getByLabel('Current password'))).toBe(true);
      expect(sent).toHaveLength(0);

      // the server's own answer: the extension as a PIN, beside the PIN field, which takes the focus
      await section.getByLabel('Current password').fill(password);
      await section.getByRole('button', { name: 'Save new PIN' }).click();
      const errors = section.locator('#voicemail-pin-errors');
      await errors.getByText('Do not use your extension as the PIN.').waitFor();
      expect(await errors.textContent()).toContain('Use at least 4 digits.');
      expect(sent).toHaveLength(1);
      expect(await pin.getAttribute('aria-invalid')).toBe('true');
      expect(await focused(pin)).toBe(true);
      expect(
        await section.locator('#voicemail-pin-rules [data-rule="not-extension"]').getAttribute('data-missed'),
      ).toBe('true');
      await shot(ada, 'profile-pin-refused');

      await pin.fill('3917');
      expect(await errors.count()).toBe(0);
      expect(await section.locator('#voicemail-pin-rules [data-met="true"]').count()).toBe(5);
      await section.getByRole('button', { name: 'Save new PIN' }).click();
      await section.getByTestId('pin-saved').waitFor();
      expect(await section.getByTestId('pin-saved').textContent()).toBe(
        'Your voicemail PIN is changed. It works from your phone right away.',
      );
      expect(await focusedText(ada)).toBe('Change voicemail PIN');
    });

    it('resets the PIN from the emailed link: a refused PIN leaves the link valid, a good one uses it up', async () => {
      const answer = await manager.ask('mutation($id: ID!) { sendPinResetEmail(userId: $id) { id } }', { id: adaId });
      expect(answer.errors).toBeUndefined();
      const link = await linkFrom(app.dataDir, (e) => e.kind === 'pin-reset' && e.metadata.accountId === adaId);
      expect(new URL(link).pathname).toBe('/reset-pin');
      const status = async () =>
        (
          await askApi<{ pinResetLink: { status: string } }>(
            app.url,
            'query($t: String!) { pinResetLink(token: $t) { status } }',
            {
              t: new URL(link).searchParams.get('token'),
            },
          )
        ).data?.pinResetLink.status;

      const person = await newPerson(browser, app.url);
      await person.goto(link);
      await person.getByRole('heading', { name: 'Choose a new voicemail PIN' }).waitFor();
      expect(await person.getByRole('main').textContent()).toContain('For 101@acme, extension 101.');
      expect(await person.getByTestId('link-expiry').textContent()).toMatch(/This link expires in 2\sh 59\smin\./);
      await look(person, 'reset-pin-form');

      await person.getByLabel('New voicemail PIN').fill('1111');
      await person.getByRole('button', { name: 'Save new PIN' }).click();
      await person.locator('#voicemail-pin-errors').getByText('Do not repeat one digit only (like 1111).').waitFor();
      expect(await person.getByRole('alert').textContent()).toBe('Please correct the fields marked below.');
      expect(await focused(person.getByLabel('New voicemail PIN'))).toBe(true);
      expect(await status()).toBe('VALID');
      await shot(person, 'reset-pin-refused');

      await person.getByLabel('New voicemail PIN').fill('4826');
      await person.getByRole('button', { name: 'Save new PIN' }).click();
      await person.getByRole('heading', { name: 'Your voicemail PIN is changed' }).waitFor();
      expect(await focused(person.getByRole('heading', { name: 'Your voicemail PIN is changed' }))).toBe(true);
      await look(person, 'reset-pin-done');
      expect(await status()).toBe('USED');

      await person.goto(link);
      await person.getByRole('heading', { name: 'This link was already used' }).waitFor();
      await person.getByText('ask your office manager for a new PIN reset email').waitFor();
      expect(await person.getByLabel('New voicemail PIN').count()).toBe(0);
      await shot(person, 'reset-pin-used');

      await person.goto('/reset-pin?token=not-a-real-token');
      await person.getByRole('heading', { name: 'This link does not work' }).waitFor();
      await shot(person, 'reset-pin-invalid');
      await person.context().close();
    });

    it('reads at 390 px: the open password form and the sessions list fit without sideways scrolling', async () => {
      await ada.setViewportSize(PHONE);
      await ada.goto('/profile');
      await sessions().first().waitFor();
      await passwordSection().getByRole('button', { name: 'Change password' }).click();
      await passwordSection().getByLabel('New password').fill('short');
      expect(await fitsWidth(ada)).toBe(true);
      // the row's button goes under the times at this width, still whole
      const button = sessions().first().getByRole('button');
      const box = (await button.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      await shot(ada, 'profile-password-form-390');
      await ada.keyboard.press('Escape');
      expect(await passwordSection().getByLabel('Current password').count()).toBe(0);
      expect(await focused(passwordSection().getByRole('button', { name: 'Change password' }))).toBe(true);
    });

    it('signs this browser out from its own row, and lands on sign-in', async () => {
      await ada.getByRole('button', { name: 'Sign out of this device' }).click();
      await ada.waitForURL('**/sign-in');
      await ada.goto('/profile');
      await ada.waitForURL('**/sign-in?next=%2Fprofile');
    });

    it("signs out everywhere: every session ends, this browser's too", async () => {
      const phone = await signInToApi(app.url, ADA, password);
      await signIn(ada, password);
      await expect.poll(() => sessions().count()).toBe(2);
      await ada.getByRole('button', { name: 'Sign out everywhere' }).click();
      await ada.waitForURL('**/sign-in');
      expect(await phone.works()).toBe(false);
      await ada.goto('/profile');
      await ada.waitForURL('**/sign-in?next=%2Fprofile');
    });
  },
);
