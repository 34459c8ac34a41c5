import { expect } from '@playwright/test';
import { test } from './fixtures';
import { productWithPricedVariants } from './helpers';

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the product page shows everything and variants still switch', async ({ page }) => {
    const { href, options } = await productWithPricedVariants(page, 'vitamins');
    await page.goto(href);

    await expect(page.getByRole('heading', { level: 1 })).not.toBeEmpty();
    await expect(page.getByTestId('price')).toHaveText(/€\d+\.\d{2}/);
    await expect(page.getByTestId('stock')).toHaveText(/In stock|Only \d+ left|Out of stock/);
    await expect(page.getByTestId('best-before')).toHaveText(/Best before/);
    await expect(page.locator('table.ingredients tbody tr').first()).toBeVisible();
    await expect(page.getByTestId('allergens')).not.toBeEmpty();
    await expect(page.getByRole('heading', { name: 'Important' })).toBeVisible();
    await expect(page.locator('.disclaimer p')).toContainText('Food supplement');

    // Without the WASM the variant links are plain links: the server renders the chosen one.
    const target = options.find((o) => o.price !== options[0].price)!;
    await page.locator(`.variants a[href="${target.href}"]`).click();
    await expect(page.getByTestId('price')).toHaveText(target.price);
    await expect(page.locator('.variant--selected .variant__label')).toHaveText(target.label);
  });

  test('home and category pages render their products', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('.card').first()).toBeVisible();
    await page.goto('/shop/face-serums');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Face Serums');
    await expect(page.locator('.card')).toHaveCount(6);
  });

  test('sign-in works as a plain form: errors show, success signs in', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('Email').fill('finn@olivine.test');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: "don't match an account" })).toBeVisible();

    await page.getByLabel('Email').fill('finn@olivine.test');
    await page.getByLabel('Password').fill('olivine-demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.locator('.account-menu__me')).toHaveText('Finn Freelancer');
  });

  test('search works as plain links and forms', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('combobox', { name: 'Search products' }).fill('vitamin');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page).toHaveURL(/\/search\?q=vitamin$/);
    await expect(page.locator('.search-hit').first()).toBeVisible();
    await page.locator('a[data-facet="category=vitamins"]').click();
    await expect(page).toHaveURL(/category=vitamins/);
    await expect(page.locator('a[data-facet="category=vitamins"]')).toHaveAttribute('aria-current', 'true');
  });
});
