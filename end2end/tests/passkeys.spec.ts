import { expect, type BrowserContext, type Page } from '@playwright/test';
import { test } from './fixtures';
import { SIGN_UP_PASSWORD, madeCatalogAdmin, signedUp, uniqueEmail, waitForHydration } from './helpers';

/**
 * A browser whose device holds passkeys: Chromium's virtual authenticator (CDP
 * `WebAuthn.addVirtualAuthenticator`), which verifies its user (as a fingerprint would) without
 * anyone touching it. A passkey's site must be a name, never an IP address: this browser
 * visits the test server as `localhost`.
 */
async function withPasskeyDevice(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return page;
}

/** Sign out, then open the sign-in page (on its way to `next`) with `email` filled in. */
async function signInAgain(page: Page, email: string, next: string): Promise<void> {
  await page.goto('/account');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.locator('.account-menu__me')).toHaveCount(0);
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
}

test('a new admin sets up a passkey instead of an app, then signs in with it after her password and with it alone', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const local = baseURL!.replace('127.0.0.1', 'localhost');
  const context = await browser.newContext({ baseURL: local });
  const page = await withPasskeyDevice(context);
  const email = await signedUp(page, 'Pia Passkey');

  // Made a catalog admin, she is sent to set up two-step sign-in; a passkey does it.
  await madeCatalogAdmin(browser, page, email);
  const section = page.getByTestId('two-step');
  await section.getByLabel('Name for the new passkey').fill('Work laptop');
  await section.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(section.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await expect(section.getByTestId('passkeys')).toContainText('Work laptop');
  await expect(section.getByTestId('two-step-on')).toContainText('10 recovery codes left');
  // The same device again is refused by the browser itself (the server leaves it out).
  await section.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(section.getByText('This device already holds a passkey for your account.')).toBeVisible();
  await expect(section.getByTestId('passkeys').locator('li')).toHaveCount(1);
  await page.getByRole('link', { name: 'Continue where you were' }).click();
  await expect(page).toHaveURL(/\/admin\/products$/);
  await expect(page.getByRole('link', { name: 'New product' })).toBeVisible();

  // Her password now asks for a second step, which the passkey gives.
  await signInAgain(page, email, '/admin/products');
  await page.getByLabel('Password').fill(SIGN_UP_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin\/second-factor/);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Use a passkey instead' }).click();
  await expect(page).toHaveURL(/\/admin\/products$/);
  await expect(page.getByRole('link', { name: 'New product' })).toBeVisible();

  // The passkey alone, after the address: no password, straight into the back office.
  await signInAgain(page, email, '/admin/products');
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/admin\/products$/);
  await expect(page.getByRole('link', { name: 'New product' })).toBeVisible();
  await page.goto('/account/security');
  await expect(page.getByTestId('passkeys')).toContainText('last used');

  // An address without a passkey gets no answer from this device, and no hint either way.
  await signInAgain(page, uniqueEmail('no-passkey'), '/account');
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page.getByText('this device has none for this account')).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
  await context.close();
});
