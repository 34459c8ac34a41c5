import { expect } from '@playwright/test';
import { test } from './fixtures';
import {
  DEMO_PASSWORD,
  addToCart,
  checkOut,
  enterCard,
  expectPaidOrder,
  signedIn,
  signedUp,
  waitForHydration,
} from './helpers';

test('support adds points with a reason; the customer sees why and spends them at checkout', async ({ page, browser }) => {
  // A sign-up, a back-office session and a paid checkout: the budget of the other specs that
  // do all three (30 s was their length on an idle machine, and two workers ran past it).
  test.setTimeout(90_000);
  const email = await signedUp(page, 'Lara Loyal');
  await page.goto('/account');
  await page.getByRole('link', { name: 'Loyalty points' }).click();
  await expect(page.getByRole('heading', { name: 'Loyalty points', level: 1 })).toBeVisible();
  await expect(page.getByTestId('points-balance')).toContainText('0 points to spend');
  await expect(page.getByTestId('earn-rules')).toContainText('1 point for each €1 you pay');

  // Support finds her by email; taking more than she has is refused, and nothing typed is lost.
  const admin = await browser.newPage();
  await signedIn(admin, 'admin@olivine.test', DEMO_PASSWORD);
  await admin.goto('/admin');
  await admin.getByRole('link', { name: 'Loyalty points' }).click();
  await waitForHydration(admin);
  await admin.getByLabel("Customer's email").fill(email);
  await admin.getByRole('button', { name: 'Find' }).click();
  await expect(admin.getByTestId('loyalty-customer')).toContainText('Lara Loyal');
  await waitForHydration(admin);
  const form = admin.getByTestId('adjust-points');
  await form.getByLabel('Points').fill('-5');
  await form.getByLabel('Reason').fill('Counted twice');
  await form.getByRole('button', { name: 'Adjust points' }).click();
  await expect(form).toContainText('Only 0 points available to take.');
  await expect(form.getByLabel('Reason')).toHaveValue('Counted twice');

  await form.getByLabel('Points').fill('300');
  await form.getByLabel('Reason').fill('Sorry for the late parcel');
  await form.getByRole('button', { name: 'Adjust points' }).click();
  await expect(admin.getByTestId('points-balance')).toContainText('300 points to spend, worth €3.00 at checkout');
  await expect(admin.getByTestId('points-entry').first()).toContainText('Adjusted by support: Sorry for the late parcel');
  await admin.close();

  // She sees it with the reason, and when the points would expire.
  await page.reload();
  await expect(page.getByTestId('points-balance')).toContainText('300 points to spend');
  await expect(page.getByTestId('points-balance')).toContainText('They expire on');
  const entry = page.getByTestId('points-entry').first();
  await expect(entry).toContainText('Adjusted by support: Sorry for the late parcel');
  await expect(entry).toContainText('+300');

  // She spends them at checkout: €3.00 off, which the summary, the charge and the order show.
  await addToCart(page, '/products/vitamin-d3-1000-iu');
  const total = await checkOut(page, { usePoints: true });
  await expect(page.getByTestId('summary-points')).toContainText('-€3.00');
  await enterCard(page, '4242 4242 4242 4242', /^Pay €/);
  await expectPaidOrder(page, total);
  await expect(page.locator('.summary')).toContainText('Loyalty points');
  await page.goto('/account/loyalty');
  await expect(page.getByTestId('points-balance')).toContainText('0 points to spend');
  await expect(page.getByTestId('points-pending')).toContainText('pending');
  await expect(page.getByTestId('points-history')).toContainText(/Spent at checkout · order OL-\d+/);
});
