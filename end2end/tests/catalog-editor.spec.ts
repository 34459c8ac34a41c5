import { expect, type Page } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, signedIn, waitForHydration } from './helpers';

/** Two different real photos (WebP renditions of seeded products), as an admin would have them. */
async function twoPhotos(page: Page): Promise<Buffer[]> {
  const photos: Buffer[] = [];
  for (const slug of ['vitamin-d3-1000-iu', 'magnesium-sleep-powder']) {
    const html = await page.request.get(`/products/${slug}`).then((r) => r.text());
    const src = /\/media\/r1\/[0-9a-f]{64}\/640\.webp/.exec(html)?.[0];
    expect(src, `a 640 px photo on ${slug}`).toBeTruthy();
    photos.push(await page.request.get(src!).then((r) => r.body()));
  }
  return photos;
}

test('an admin creates a product with a variant, a lot and photos; a shopper finds it with its picture', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const name = `Harbour Night Serum ${Date.now().toString(36)}`;
  const sku = `HNS-${Date.now().toString(36).toUpperCase().slice(-5)}`;
  await signedIn(page, 'admin@olivine.test', DEMO_PASSWORD);
  const [bottle, jar] = await twoPhotos(page);

  await page.goto('/admin/products');
  await page.getByRole('link', { name: 'New product' }).click();
  await expect(page).toHaveURL(/\/admin\/products\/new$/);
  await waitForHydration(page);

  // Inline validation: everything missing is named at once, and nothing is lost.
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page.locator('#field-product-category-error')).toHaveText('Choose a category.');
  await expect(page.locator('.field--invalid').first()).toBeVisible();
  await expect(page.getByLabel('Name')).toHaveValue(name);

  await page.getByLabel('Category').selectOption({ label: 'Face Serums (Skincare)' });
  await page.getByLabel('Form', { exact: true }).selectOption('serum');
  await page.getByLabel('Product line').fill('Olivine Lab');
  await page.getByLabel('Summary').fill('A calm overnight serum with squalane and oat lipids.');
  await page.getByLabel('Description').fill('Squalane and oat lipids for dry, tight skin; made in small batches.');
  await page.getByLabel('Directions').fill('Two drops on clean skin at night.');
  await page.getByLabel('Benefits').fill('hydration, barrier');
  await page.getByRole('checkbox', { name: 'Dry' }).check();
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page).toHaveURL(/\/admin\/products\/[0-9a-f-]{36}\?created=1$/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByTestId('status')).toHaveText('Draft');
  await waitForHydration(page);

  // Unsaved changes: following a link asks first; staying keeps the typing.
  await page.getByLabel('Summary').fill('Changed but not saved.');
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('not saved');
    void dialog.dismiss();
  });
  await page.getByRole('link', { name: 'Products' }).first().click();
  await expect(page).toHaveURL(/\/admin\/products\/[0-9a-f-]{36}/);
  await expect(page.getByLabel('Summary')).toHaveValue('Changed but not saved.');
  await page.getByRole('button', { name: 'Save details' }).click();
  await expect(page.locator('.saved')).toHaveText('Saved');

  // A variant; then a lot; then a correction with a reason.
  await page.getByLabel('SKU').fill(sku);
  await page.getByLabel('Size or pack').fill('30 ml');
  await page.getByLabel('Price (EUR, tax included)').fill('24.50');
  await page.getByRole('button', { name: 'Add variant' }).click();
  const variant = page.locator(`article.variant[data-sku="${sku}"]`);
  await expect(variant.getByRole('heading')).toHaveText(`${sku} · 30 ml · €24.50`);

  await variant.getByText('Receive a lot').click();
  await variant.getByLabel('Batch number').fill('HNS-2611-A');
  const bestBefore = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
  await variant.getByLabel('Best before').fill(bestBefore);
  await variant.getByLabel('Units received').fill('48');
  await variant.getByRole('button', { name: 'Receive lot' }).click();
  const lot = variant.locator('tr[data-batch="HNS-2611-A"]');
  await expect(lot.getByTestId('on-hand')).toHaveText('48');

  await lot.getByText('Correct', { exact: true }).click();
  await lot.getByLabel(/Change in units/).fill('-50');
  await lot.getByLabel('Reason').selectOption('damaged');
  await lot.getByRole('button', { name: 'Record correction' }).click();
  await expect(lot.getByText('Batch HNS-2611-A holds 48; it can\'t lose 50.')).toBeVisible();
  await lot.getByLabel(/Change in units/).fill('-2');
  await lot.getByRole('button', { name: 'Record correction' }).click();
  await expect(page.locator(`tr[data-batch="HNS-2611-A"] [data-testid="on-hand"]`)).toHaveText('46');
  const history = page.getByTestId('movements');
  await expect(history.locator('tbody tr').first()).toContainText('-2');
  await expect(history.locator('tbody tr').first()).toContainText('Damaged');
  await expect(history.locator('tbody tr').nth(1)).toContainText('+48');

  // Photos: one dropped, one chosen; each needs its description, each shows its progress.
  const dropped = await page.evaluateHandle((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], 'bottle.webp', { type: 'image/webp' }));
    return transfer;
  }, [...bottle]);
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dropped });
  await page.locator('#photo-files').setInputFiles({ name: 'jar.webp', mimeType: 'image/webp', buffer: jar });
  const uploads = page.getByTestId('uploads');
  await expect(uploads.locator('li')).toHaveCount(2);
  await expect(uploads.locator('progress')).toHaveCount(2);
  await uploads.getByLabel('Description of bottle.webp (alt text)').fill('Amber dropper bottle of the night serum');
  await page.getByRole('button', { name: 'Upload photos' }).click();
  await expect(uploads.locator('li[data-name="jar.webp"]')).toContainText('Describe this photo first');
  await expect(uploads.locator('li[data-name="bottle.webp"]')).toHaveAttribute('data-state', 'done');
  await uploads.getByLabel('Description of jar.webp (alt text)').fill('Glass jar of the night serum');
  await page.getByRole('button', { name: 'Upload photos' }).click();
  await expect(uploads.locator('li[data-name="jar.webp"]')).toHaveAttribute('data-state', 'done');
  await expect(uploads.locator('li[data-name="jar.webp"] progress')).toHaveAttribute('value', '1');
  const photos = page.getByTestId('photos').locator('li.photo');
  await expect(photos).toHaveCount(2);
  await expect(photos.nth(0)).toHaveAttribute('data-alt', 'Amber dropper bottle of the night serum');

  // Reorder: the jar becomes the cover.
  await photos.nth(1).getByRole('button', { name: 'Move earlier' }).click();
  await expect(photos.nth(0)).toHaveAttribute('data-alt', 'Glass jar of the night serum');

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('status')).toHaveText('Published');

  // A shopper (another browser, signed out) searches and sees it with its picture.
  const shopper = await browser.newPage();
  await shopper.goto('/');
  // Typing before hydration would race the hydrated search box taking over the input.
  await waitForHydration(shopper);
  await shopper.getByRole('combobox', { name: 'Search products' }).fill('harbour night serum');
  await shopper.getByRole('combobox', { name: 'Search products' }).press('Enter');
  await expect(shopper).toHaveURL(/\/search\?q=harbour/);
  const hit = shopper.locator('.search-hit', { hasText: name });
  await expect(hit).toBeVisible();
  await expect(hit.locator('img')).toHaveAttribute('alt', 'Glass jar of the night serum');
  await hit.getByRole('link', { name }).first().click();
  const cover = shopper.locator('.product__media img').first();
  await expect(cover).toHaveAttribute('alt', 'Glass jar of the night serum');
  await expect
    .poll(() => cover.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  await expect(shopper.getByText('€24.50').first()).toBeVisible();
  await shopper.close();
});
