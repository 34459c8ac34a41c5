import { promises as fs } from 'node:fs';
import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, signedIn, waitForHydration } from './helpers';

test('support reads who changed what in the audit trail, filters it, and downloads it', async ({ page }) => {
  const name = `Audit Balm ${Date.now().toString(36)}`;
  await signedIn(page, 'admin@olivine.test', DEMO_PASSWORD);

  // An edit to audit: a draft product whose summary changes.
  await page.goto('/admin/products/new');
  await waitForHydration(page);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Category').selectOption({ label: 'Face Serums (Skincare)' });
  await page.getByLabel('Form', { exact: true }).selectOption('serum');
  await page.getByLabel('Product line').fill('Olivine Lab');
  await page.getByLabel('Summary').fill('A first summary.');
  await page.getByLabel('Description').fill('Shea and oat for dry skin.');
  await page.getByLabel('Directions').fill('Warm a little between the fingers.');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page).toHaveURL(/\/admin\/products\/[0-9a-f-]{36}\?created=1$/);
  await waitForHydration(page);
  await page.getByLabel('Summary').fill('A better summary.');
  await page.getByRole('button', { name: 'Save details' }).click();
  await expect(page.locator('.saved')).toHaveText('Saved');

  // The trail: the chain verified, the edit as before → after, by whom and from where.
  await page.goto('/admin');
  await page.getByRole('link', { name: 'Audit trail' }).click();
  await expect(page.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
  await expect(page.getByTestId('audit-chain')).toContainText('Chain intact.');
  await expect(page.getByTestId('audit-checkpoint')).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Person').fill('admin@olivine.test');
  await page.getByLabel('Action').selectOption({ label: 'Edited a product' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=product_updated/);
  const edit = page.getByTestId('audit-entry').filter({ hasText: name });
  await expect(edit).toHaveCount(1);
  await expect(edit).toContainText('Edited a product by');
  await expect(edit).toContainText('admin@olivine.test');
  await expect(edit).toContainText(/from \d+\.\d+\.\d+\.\d+/);
  const summary = edit.locator('tr', { hasText: 'summary' });
  await expect(summary.locator('td')).toHaveText(['A first summary.', '→ A better summary.']);
  await expect(page.getByTestId('audit-entry').and(page.locator('[data-action]:not([data-action="product_updated"])'))).toHaveCount(0);

  // Everything about that product: created, then edited.
  await edit.locator('.audit__line a[href*="subject="]').click();
  await expect(page).toHaveURL(/subject=[0-9a-f-]{36}/);
  await expect(page.getByTestId('audit-entry')).toHaveCount(2);
  await expect(page.getByTestId('audit-entry').first()).toHaveAttribute('data-action', 'product_updated');
  await expect(page.getByTestId('audit-entry').last()).toHaveAttribute('data-action', 'product_created');

  // The same entries as CSV.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/^olivine-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = (await fs.readFile(await download.path(), 'utf8')).split('\r\n').filter((l) => l);
  expect(csv).toHaveLength(3);
  expect(csv[1]).toContain(',product_updated,Edited a product,');
  expect(csv[1]).toContain('summary: A first summary. → A better summary.');

  // A filter that makes no sense is named; the filters stay as typed.
  await page.goto('/admin/audit');
  await waitForHydration(page);
  await page.getByLabel('Person').fill('nobody@example.com');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('audit-filter-error')).toContainText('Person: No account has that email.');
  await expect(page.getByLabel('Person')).toHaveValue('nobody@example.com');
});

test('the audit trail is for support admins only', async ({ page }) => {
  await signedIn(page, 'ann@olivine.test', DEMO_PASSWORD);
  await page.goto('/admin/audit');
  await expect(page.getByRole('heading', { name: "You don't have access to this page" })).toBeVisible();
  await expect(page.getByTestId('audit-chain')).toHaveCount(0);
  await expect(page.getByTestId('audit-entries')).toHaveCount(0);
  expect((await page.request.get('/admin/audit.csv')).status()).toBe(403);
});
