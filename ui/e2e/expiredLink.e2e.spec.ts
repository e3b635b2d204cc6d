import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './support/app';
import { PHONE, fitsWidth, launchChromium, newPerson, shot } from './support/browser';
import { linkFrom, welcomeTo } from './support/outbox';
import { waitFor } from './support/waitFor';

describe('given a service whose welcome links last 2 seconds', () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp({ WELCOME_LINK_TTL: '2s' }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows an expired link as a page that says so in plain words and what to do', async () => {
    const link = await linkFrom(app.dataDir, welcomeTo('olivia.manager@acme.example'));
    const token = new URL(link).searchParams.get('token')!;
    // Wait until the server itself calls the link expired, rather than for a guessed time.
    await waitFor(
      async () => {
        const response = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'query($t: String!) { setupLink(token: $t) { status } }', variables: { t: token } }),
        });
        return ((await response.json()) as { data: { setupLink: { status: string } } }).data.setupLink.status === 'EXPIRED';
      },
      { timeoutMs: 10_000, intervalMs: 250, what: () => 'the link to expire' },
    );

    const page = await newPerson(browser, app.url, PHONE);
    await page.goto(link);
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    expect(await page.getByText('Ask your office manager to send you a new welcome email').count()).toBe(1);
    expect(await page.getByLabel('New password').count()).toBe(0);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'setup-expired-390');
  });
});
