import { expect, type Page } from '@playwright/test';
import { test } from './fixtures';
import {
  DEMO_PASSWORD,
  addToCart,
  cents,
  checkOut,
  enterCard,
  expectPaidOrder,
  shipOrder,
  signedIn,
} from './helpers';

test('a guest fills a cart, signs in (the cart comes along), checks out and pays', async ({ page }) => {
  await addToCart(page, '/products/vitamin-d3-1000-iu');
  await signedIn(page, 'mia@olivine.test', DEMO_PASSWORD);
  await expect(page.getByTestId('cart-link')).toContainText('1');

  const total = await checkOut(page);
  await enterCard(page, '4242 4242 4242 4242', /^Pay €/);
  await expectPaidOrder(page, total);
  // The bought item left the cart; the order is in "Your orders".
  await expect(page.getByTestId('cart-link')).toHaveText('Cart');
  await page.goto('/orders');
  await expect(page.locator('.orders-table tbody tr').first()).toContainText('Paid');
});

test('a declined card says so, keeps the cart, and another card pays', async ({ page }) => {
  await signedIn(page, 'leo@olivine.test', DEMO_PASSWORD);
  await addToCart(page, '/products/magnesium-sleep-powder');
  const total = await checkOut(page);

  await enterCard(page, '4000 0000 0000 0002', /^Pay €/);
  await expect(page.locator('[data-payment-status]')).toContainText('Your card was declined.');
  await expect(page.locator('[data-payment-status]')).toContainText('Nothing was charged');
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByTestId('cart-link')).toContainText('1');

  await enterCard(page, '4242 4242 4242 4242', /^Pay €/);
  await expectPaidOrder(page, total);
});

test('a card that asks for 3-D Secure pays once the challenge is completed', async ({ page }) => {
  await signedIn(page, 'hana@olivine.test', DEMO_PASSWORD);
  await addToCart(page, '/products/vitamin-d3-1000-iu');
  const total = await checkOut(page);

  await enterCard(page, '4000 0025 0000 3155', /^Pay €/);
  const challenge = page.getByRole('dialog', { name: '3D Secure test payment' });
  await expect(challenge).toBeVisible();
  await challenge.getByRole('button', { name: 'Complete authentication' }).click();
  await expectPaidOrder(page, total);
});

test('an admin ships a paid order and refunds part of it', async ({ page, browser }) => {
  await signedIn(page, 'max@olivine.test', DEMO_PASSWORD);
  await addToCart(page, '/products/magnesium-sleep-powder');
  const total = await checkOut(page);
  await enterCard(page, '4242 4242 4242 4242', /^Pay €/);
  await expectPaidOrder(page, total);
  const reference = (await page.getByRole('heading', { level: 1 }).innerText()).match(/OL-\d+/)?.[0];
  expect(reference).toBeTruthy();

  const admin = await browser.newPage();
  await signedIn(admin, 'admin@olivine.test', DEMO_PASSWORD);
  await shipOrder(admin, reference!, '3SABC1234567');
  await admin.getByLabel('Amount (EUR)').fill('1.00');
  await admin.getByLabel('Reason (the customer sees it)').fill('The lid arrived cracked');
  await admin.getByRole('button', { name: 'Refund' }).click();
  await expect(admin.getByText('Partially refunded: €1.00').first()).toBeVisible();
  await admin.close();

  // The customer sees the shipment, its tracking link and the refund in the order's history.
  await page.reload();
  await expect(page.getByTestId('order-status')).toHaveText('Shipped');
  await expect(page.getByTestId('tracking-link')).toHaveAttribute('href', /3SABC1234567/);
  await expect(page.getByTestId('order-timeline')).toContainText('The lid arrived cracked');
});
