import { expect, type Page } from '@playwright/test';
import { test } from './fixtures';
import {
  SIGN_UP_PASSWORD,
  madeCatalogAdmin,
  enterSignInCode,
  signIn,
  signedIn,
  signedUp,
  totp,
  waitForHydration,
} from './helpers';

/** An authenticator secret as the page shows it (base32, RFC 4648) in bytes. */
function fromBase32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/**
 * On the security page: set up an authenticator app, scanning nothing but reading the key
 * under the QR code, and turn two-step sign-in on with its code. Returns the secret and the
 * recovery codes shown.
 */
async function turnOnTwoStep(page: Page): Promise<{ secret: Buffer; codes: string[] }> {
  const section = page.getByTestId('two-step');
  await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(section.locator('.qr svg')).toBeVisible();
  const secret = fromBase32((await section.getByTestId('authenticator-secret').textContent())!.trim());

  // A wrong code is refused next to the field.
  await section.getByLabel('Code from the app').fill('000000');
  await section.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await expect(section.getByText("That code didn't work")).toBeVisible();

  await section.getByLabel('Code from the app').fill(totp(secret));
  await section.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  const codes = section.getByTestId('recovery-codes').locator('li');
  await expect(codes).toHaveCount(10);
  await expect(section.getByTestId('two-step-on')).toContainText('10 recovery codes left');
  return { secret, codes: await codes.allTextContents() };
}

test('a shopper turns on two-step sign-in, then signs in with a code or a recovery code; a device signed in before confirms first', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const email = await signedUp(page, 'Tess Twostep');
  // Another device, signed in before two-step sign-in is on.
  const other = await (await browser.newContext()).newPage();
  await signedIn(other, email, SIGN_UP_PASSWORD);

  await page.goto('/account/security');
  await waitForHydration(page);
  const { secret } = await turnOnTwoStep(page);

  // The other device asks for a code before making new recovery codes, then makes them.
  await other.goto('/account/security');
  await waitForHydration(other);
  await expect(other.getByTestId('two-step-on')).toBeVisible();
  await other.getByRole('button', { name: 'Make new recovery codes' }).click();
  const stepUp = other.getByTestId('step-up');
  await expect(stepUp).toBeVisible();
  let confirmed = false;
  // The code that turned it on is spent; the app's next one counts.
  for (const steps of [0, 1]) {
    await stepUp.getByLabel(/Code from your authenticator app/).fill(totp(secret, steps));
    const [answer] = await Promise.all([
      other.waitForResponse((r) => r.url().includes('/api/accounts/second-factor-confirm')),
      stepUp.getByRole('button', { name: 'Confirm and continue' }).click(),
    ]);
    if (answer.ok()) {
      confirmed = true;
      break;
    }
    await expect(stepUp.getByText("That code didn't work")).toBeVisible();
  }
  expect(confirmed).toBe(true);
  // The form went again by itself: ten new codes.
  const fresh = other.getByTestId('recovery-codes').locator('li');
  await expect(fresh).toHaveCount(10);
  const recovery = (await fresh.allTextContents()).map((c) => c.trim());
  await other.close();

  // The password alone no longer signs in.
  await page.goto('/account');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, email, SIGN_UP_PASSWORD);
  await expect(page).toHaveURL(/\/signin\/second-factor/);
  await waitForHydration(page);
  await page.getByLabel('Code', { exact: true }).fill('123456');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText("That code didn't work")).toBeVisible();
  await page.goto('/account');
  await expect(page.getByRole('heading', { name: 'Please sign in to continue' })).toBeVisible();

  // A recovery code signs in once.
  await signIn(page, email, SIGN_UP_PASSWORD);
  await expect(page).toHaveURL(/\/signin\/second-factor/);
  await waitForHydration(page);
  await page.getByLabel('Code', { exact: true }).fill(recovery[0]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator('.account-menu__me')).toHaveText('Tess Twostep');

  // And the app's code, as every day.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, email, SIGN_UP_PASSWORD);
  await enterSignInCode(page, secret);
  await expect(page).toHaveURL(/\/account$/);
  await page.goto('/account/security');
  await expect(page.getByTestId('two-step-on')).toContainText('9 recovery codes left');
});

test('an admin without two-step sign-in is sent to set it up before any back-office page', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const email = await signedUp(page, 'Nora Newadmin');

  // Made a catalog admin, her first back-office page sends her to set up two-step sign-in,
  // and back once it's on.
  await madeCatalogAdmin(browser, page, email);
  await expect(page.getByText('The back office needs two-step sign-in. Set it up here to continue.')).toBeVisible();
  await turnOnTwoStep(page);
  await expect(page.getByText('Admins keep two-step sign-in on')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Turn off two-step sign-in' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Continue where you were' }).click();
  await expect(page).toHaveURL(/\/admin\/products$/);
  await expect(page.getByRole('link', { name: 'New product' })).toBeVisible();
});
