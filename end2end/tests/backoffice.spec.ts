import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, signIn, signedIn } from './helpers';

test('an admin finds products by SKU and reviews stock alerts with a chosen window', async ({ page }) => {
  await signedIn(page, 'admin@olivine.test', DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Back office' }).click();
  await page.getByRole('main').getByRole('link', { name: 'Products', exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/products$/);
  // The seed's 80, and any a catalog-editor test (running beside this one) added.
  const total = await page.getByText(/^\d+ products$/).innerText();
  expect(Number.parseInt(total, 10)).toBeGreaterThanOrEqual(80);

  // The first SKU shown for a product on the shop finds that product here.
  const sku = await page.request
    .get('/products/vitamin-d3-1000-iu')
    .then((r) => r.text())
    .then((html) => /\?variant=([A-Z0-9-]+)/.exec(html)?.[1] ?? '');
  expect(sku).not.toBe('');
  await page.getByLabel('Search by name, slug or SKU').fill(sku.toLowerCase());
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/\/admin\/products\?q=/);
  await expect(page.locator('[data-testid="products"] tbody tr')).toHaveCount(1);
  await expect(page.locator('[data-testid="products"] tr[data-slug="vitamin-d3-1000-iu"]')).toBeVisible();

  await page.getByRole('link', { name: 'Stock alerts' }).click();
  await expect(page.getByRole('heading', { name: /Low stock/ })).toBeVisible();
  await expect(page.locator('[data-testid="low-stock"] tbody tr').first()).toBeVisible();
  const window = page.getByLabel('Lots expiring within');
  await window.fill('365');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/days=365/);
  await expect(page.getByRole('heading', { name: 'Expiring within 365 days' })).toBeVisible();
  const wide = await page.locator('[data-testid="expiring"] tbody tr').count();
  expect(wide).toBeGreaterThan(0);

  // A window out of range is refused with a message; what was typed stays in the field.
  await window.fill('9999');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('alert')).toHaveText('Choose a window between 1 and 730 days.');
  await expect(page.getByLabel('Lots expiring within')).toHaveValue('9999');
});

test('a support admin sees what the background jobs did', async ({ page }) => {
  await signIn(page, 'admin@olivine.test', DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Back office' }).click();
  await page.getByRole('link', { name: 'Background jobs' }).click();
  await expect(page).toHaveURL(/\/admin\/jobs$/);
  await expect(page.getByRole('heading', { name: 'Background jobs' })).toBeVisible();
  // The mail relay runs every half second on every node; it has run by now.
  const relay = page.locator('[data-testid="jobs"] tr[data-job="email-relay"]');
  await expect(relay).toBeVisible();
  await expect(relay.locator('td').first()).not.toHaveText('not yet');
});
