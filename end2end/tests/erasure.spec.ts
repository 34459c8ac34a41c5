import { expect, type APIRequestContext } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, SIGN_UP_PASSWORD, signedIn, signedUp, waitForHydration } from './helpers';

// This spec moves the server's clock two weeks on, past an erasure's grace period; it runs
// alone, after every other spec (the "weeks later" project), and puts the clock back after.
test.afterEach(async ({ request }) => setClock(request, 0));

async function setClock(request: APIRequestContext, hours: number) {
  const reply = await request.post('/api/dev/clock', {
    form: { hours: String(hours) },
    headers: { accept: 'application/json' },
  });
  expect(reply.ok()).toBeTruthy();
}

test('a person asks to be erased, keeps their account, asks again, and two weeks later is erased', async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  const email = await signedUp(page, 'Erin Erasure');

  await page.goto('/account/privacy');
  await waitForHydration(page);
  const erasure = page.getByTestId('erasure');
  // Nothing happens without the box ticked.
  await erasure.getByRole('button', { name: 'Erase my account' }).click();
  await expect(erasure.getByText('Tick the box to confirm.')).toBeVisible();
  await erasure.getByLabel(/I understand/).check();
  await erasure.getByRole('button', { name: 'Erase my account' }).click();
  await expect(page.getByTestId('erasure-waiting')).toContainText('You asked on');
  await expect(page.getByTestId('erasure-waiting')).toContainText('It will be erased after');
  // She is mailed the date and how to change her mind.
  await expect
    .poll(
      async () => {
        await page.goto('/dev/mailbox');
        return page.locator(`.mailbox__message[data-to="${email}"]`).filter({ hasText: 'will be erased after' }).count();
      },
      { timeout: 10_000, intervals: [250] },
    )
    .toBe(1);
  await page.goto('/account/privacy');
  await waitForHydration(page);

  // She changes her mind, then asks again.
  await erasure.getByRole('button', { name: 'Keep my account' }).click();
  await expect(erasure.getByRole('button', { name: 'Erase my account' })).toBeVisible();
  await erasure.getByLabel(/I understand/).check();
  await erasure.getByRole('button', { name: 'Erase my account' }).click();
  await expect(page.getByTestId('erasure-waiting')).toBeVisible();
  const id = await erasure.locator('input[name="id"]').getAttribute('value');
  expect(id).toBeTruthy();

  // Support sees it against the law's 30 days.
  const admin = await browser.newPage();
  await signedIn(admin, 'admin@olivine.test', DEMO_PASSWORD);
  await admin.goto('/admin/privacy');
  await waitForHydration(admin);
  const row = admin.locator(`tr[data-erasure="${id}"]`);
  await expect(row).toContainText(email);
  await expect(row).toContainText('Themselves');
  await expect(row).toContainText('Waiting · 30 days to the deadline');
  await expect(row.getByRole('button', { name: 'Cancel' })).toBeVisible();

  // Two weeks and an hour later the erasures job erases her.
  await setClock(request, 14 * 24 + 1);
  await expect
    .poll(
      async () => {
        await admin.reload();
        return row.innerText();
      },
      { timeout: 60_000, intervals: [2_000] },
    )
    .toContain('Erased');
  await expect(row).not.toContainText(email);
  await expect(row).toContainText('Erased account');

  // Signed out on her device, and she can't sign in again.
  await page.goto('/account');
  await expect(page.locator('.account-menu__me')).toHaveCount(0);
  await page.goto('/signin');
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(SIGN_UP_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText("That email and password don't match an account.")).toBeVisible();
});
