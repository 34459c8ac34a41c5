import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, cents, signedIn, waitForHydration } from './helpers';

test('a guest fills a cart, fixes a quantity, and keeps it through sign-in', async ({ page }) => {
  await page.goto('/products/vitamin-d3-1000-iu');
  await waitForHydration(page);
  const price = cents(await page.getByTestId('price').innerText());
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Added to your cart.' })).toBeVisible();
  await expect(page.getByTestId('cart-link')).toContainText('1');

  await page.getByRole('link', { name: 'View cart' }).click();
  await expect(page).toHaveURL(/\/cart$/);
  const line = page.locator('li.cart-line').first();
  await expect(line.locator('.cart-line__name')).toHaveText('Vitamin D3 1000 IU');
  await line.getByLabel('Quantity').fill('3');
  await line.getByRole('button', { name: 'Update' }).click();
  await expect(page.getByTestId('cart-link')).toContainText('3');
  await expect.poll(async () => cents(await page.getByTestId('cart-subtotal').innerText())).toBe(3 * price);

  // A quantity out of range is refused next to the line; nothing changes.
  await line.getByLabel('Quantity').fill('25');
  await line.getByRole('button', { name: 'Update' }).click();
  await expect(line.getByRole('alert')).toHaveText('Choose a quantity from 0 to 20.');
  await expect(page.getByTestId('cart-link')).toContainText('3');

  // Signing in keeps the cart: it joins the account's.
  await signedIn(page, 'ben@olivine.test', DEMO_PASSWORD);
  await page.goto('/cart');
  await expect(page.locator('li.cart-line .cart-line__name')).toHaveText(['Vitamin D3 1000 IU']);
  await expect(page.locator('li.cart-line').first().getByLabel('Quantity')).toHaveValue('3');

  // Removing the last line empties the cart.
  await waitForHydration(page);
  await page.locator('li.cart-line').first().getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByText('Your cart is empty.')).toBeVisible();
  await expect(page.getByTestId('cart-link')).toHaveText('Cart');
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('adding to the cart and changing it work as plain forms', async ({ page }) => {
    await page.goto('/products/magnesium-sleep-powder');
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect(page).toHaveURL(/\/products\/magnesium-sleep-powder/);
    await page.goto('/cart');
    const line = page.locator('li.cart-line').first();
    await expect(line.getByLabel('Quantity')).toHaveValue('2');
    await line.getByLabel('Quantity').fill('1');
    await line.getByRole('button', { name: 'Update' }).click();
    await expect(page.locator('li.cart-line').first().getByLabel('Quantity')).toHaveValue('1');
    await page.locator('li.cart-line').first().getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByText('Your cart is empty.')).toBeVisible();
  });
});
