import { expect, type Page } from '@playwright/test';
import { test } from './fixtures';
import {
  DEMO_PASSWORD,
  SIGN_UP_PASSWORD,
  mailedLink,
  signIn,
  signedIn,
  signedUp,
  uniqueEmail,
  waitForHydration,
} from './helpers';

test('sign up, confirm by email, sign out, sign in again', async ({ page }) => {
  const email = await signedUp(page, 'Robin Example');
  await expect(page.getByText('your email address is confirmed')).toBeVisible();
  await expect(page.locator('.account-menu__me')).toHaveText('Robin Example');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.goto('/account');
  await expect(page.getByRole('heading', { name: 'Please sign in to continue' })).toBeVisible();

  await signedIn(page, email, SIGN_UP_PASSWORD);
  await expect(page.locator('.account-menu__me')).toHaveText('Robin Example');
});

test('a wrong password shows an error and signs nobody in', async ({ page }) => {
  await signIn(page, 'ben@olivine.test', 'not the right password');
  await expect(page.getByRole('alert').filter({ hasText: "That email and password don't match an account." })).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
});

test('reset a forgotten password through the emailed link', async ({ page }) => {
  // A fresh account, so other tests' demo logins keep their password.
  const email = uniqueEmail('reset');
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('Your name').fill('Forgetful Person');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('the first password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();

  await page.goto('/reset-password');
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByText('a reset link is on its way')).toBeVisible();

  await page.goto(await mailedLink(page, email, '/reset-password'));
  await waitForHydration(page);
  await page.getByLabel('New password').fill('the second password');
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await expect(page).toHaveURL(/\/account\?reset=1$/);
  await expect(page.locator('.account-menu__me')).toHaveText('Forgetful Person');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, email, 'the first password');
  await expect(page.getByRole('alert').filter({ hasText: "don't match" })).toBeVisible();
  await signedIn(page, email, 'the second password');
});

async function signInWithTestId(page: Page, login: string): Promise<void> {
  await page.goto('/signin');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Continue with Test ID' }).click();
  // oidc-provider's development login page, then its consent page.
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click();
}

test('sign in through an OpenID provider creates an account', async ({ page }) => {
  await signInWithTestId(page, 'new-person');
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator('.account-menu__me')).toHaveText('Nova Person');
  const linked = page.locator('.list__row', { hasText: 'Test ID' });
  await expect(linked).toContainText('new.person@oidc.example');
  await expect(linked.getByRole('button', { name: 'Unlink' })).toBeVisible();
});

test("a provider email that an account already uses does not join it; the owner links it after signing in", async ({ page }) => {
  await signInWithTestId(page, 'ann');
  await expect(page).toHaveURL(/\/signin\?oidc=existing$/);
  await expect(page.getByText('An Olivine account already uses the email address your provider gave us.')).toBeVisible();
  await expect(page.locator('.account-menu__me')).toHaveCount(0);
  // Forget the provider's own session, so linking asks who is signing in there, as it would
  // for a person coming back another day.
  await page.context().clearCookies();
  await signedIn(page, 'ann@olivine.test', DEMO_PASSWORD);
  await expect(page.locator('.list__row', { hasText: 'Test ID' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Link Test ID' }).click();
  await page.locator('input[name="login"]').fill('ann');
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/account\?linked=1$/);
  const linked = page.locator('.list__row', { hasText: 'Test ID' });
  await expect(linked).toContainText('ann@olivine.test');
  // Unlinked again, so Ann's account is as the seed made it for any later run of this test.
  await waitForHydration(page);
  await linked.getByRole('button', { name: 'Unlink' }).click();
  await expect(linked).toHaveCount(0);
});

test('a provider login without a verified email is refused with an explanation', async ({ page }) => {
  await signInWithTestId(page, 'unverified-someone');
  await expect(page).toHaveURL(/\/signin\?oidc=failed$/);
  await expect(page.getByText("Signing in with your provider didn't complete.")).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
});

test('link a provider to a signed-in account, then unlink it', async ({ page }) => {
  await signedIn(page, 'finn@olivine.test', DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Link Test ID' }).click();
  await page.locator('input[name="login"]').fill('finn-elsewhere');
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/account\?linked=1$/);
  await expect(page.getByText('you can now sign in with that provider too')).toBeVisible();
  await waitForHydration(page);
  const linked = page.locator('.list__row', { hasText: 'Test ID' });
  await linked.getByRole('button', { name: 'Unlink' }).click();
  await expect(linked).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Link Test ID' })).toBeVisible();
});

test('a shopper cannot open the back office; an admin can', async ({ page }) => {
  await signedIn(page, 'ben@olivine.test', DEMO_PASSWORD);
  await expect(page.getByRole('link', { name: 'Back office' })).toHaveCount(0);
  const response = await page.goto('/admin/users');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: "You don't have access to this page" })).toBeVisible();
  await expect(page.locator('[data-testid="users"]')).toHaveCount(0);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'admin@olivine.test', DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Back office' }).click();
  await page.getByRole('link', { name: 'Users and roles' }).click();
  // Over 500 accounts (the Hire demo's freelancers): find one by address.
  await page.getByLabel('Search by name or email').fill('fay@olivine.test');
  await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=fay/);
  await expect(page.locator('[data-testid="users"] tr[data-email="fay@olivine.test"]')).toContainText('Fay Freelancer');
});
