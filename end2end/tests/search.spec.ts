import { expect } from '@playwright/test';
import { test } from './fixtures';
import { waitForHydration } from './helpers';

test('search from the header, pick a facet, go back: the page state returns', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  await page.getByRole('combobox', { name: 'Search products' }).fill('magnesium');
  await page.getByRole('combobox', { name: 'Search products' }).press('Enter');
  await expect(page).toHaveURL(/\/search\?q=magnesium$/);
  await expect(page.getByRole('heading', { name: 'Results for “magnesium”' })).toBeVisible();
  const count = page.getByTestId('result-count');
  const before = await count.textContent();

  const facet = page.locator('a[data-facet^="category="]').first();
  const [key, value] = ((await facet.getAttribute('data-facet')) ?? '').split('=');
  await facet.click();
  await expect(page).toHaveURL(new RegExp(`${key}=${value}`));
  await expect(page.locator(`a[data-facet="${key}=${value}"]`)).toHaveAttribute('aria-current', 'true');
  await expect(page.getByRole('list', { name: 'Active filters' })).toBeVisible();

  await page.goBack();
  await expect(page).toHaveURL(/\/search\?q=magnesium$/);
  await expect(count).toHaveText(before ?? '');
  await expect(page.getByRole('list', { name: 'Active filters' })).toHaveCount(0);
  await expect(page.getByRole('combobox', { name: 'Search products' })).toHaveValue('magnesium');
});

test('a typo still finds products, and suggestions complete what you type', async ({ page }) => {
  await page.goto('/search?q=magnesum');
  await expect(page.locator('.search-hit').first()).toContainText('Magnesium');

  await waitForHydration(page);
  const box = page.getByRole('combobox', { name: 'Search products' });
  await box.fill('ashw');
  const option = page.getByRole('option').first();
  await expect(option).toContainText('Ashwagandha');
  await box.press('ArrowDown');
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/products\/.*ashwagandha/);
});

test('no results offer a correction', async ({ page }) => {
  await page.goto('/search?q=vitmn');
  await expect(page.getByRole('heading', { name: 'No products match “vitmn”' })).toBeVisible();
  await page.locator('.did-you-mean').getByRole('link', { name: 'vitamin', exact: true }).click();
  await expect(page).toHaveURL(/q=vitamin/);
  await expect(page.locator('.search-hit').first()).toBeVisible();
});
