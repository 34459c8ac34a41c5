import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, cents, productWithPricedVariants, signedIn, waitForHydration } from './helpers';

test('home → category → product', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Daily care');
  await expect(page.locator('#featured-heading + .grid .card').first()).toBeVisible();

  await page.getByRole('link', { name: /^Vitamins/ }).last().click();
  await expect(page).toHaveURL(/\/shop\/vitamins$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vitamins');
  await expect(page.getByText('8 products')).toBeVisible();

  const firstCard = page.locator('.card').first();
  const name = (await firstCard.locator('.card__title').innerText()).trim();
  await firstCard.locator('a').click();
  await expect(page).toHaveURL(/\/products\/[a-z0-9-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(page.getByTestId('price')).toHaveText(/€\d+\.\d{2}/);
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText('Vitamins');
});

test('variant switch updates price, stock and best-before without a reload', async ({ page }) => {
  const { href, options } = await productWithPricedVariants(page, 'protein');
  await page.goto(href);
  await waitForHydration(page);

  // A full page load would wipe this marker; client-side updates keep it.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  const target = options.find((o) => o.price !== options[0].price)!;
  await page.getByRole('link', { name: new RegExp(`^${target.label.replace(/[×()]/g, '.')}`) }).click();

  await expect(page.getByTestId('price')).toHaveText(target.price);
  await expect(page).toHaveURL(new RegExp(`\\?variant=${target.href.split('=')[1]}$`));
  await expect(page.locator('.variant--selected .variant__label')).toHaveText(target.label);
  await expect(page.getByTestId('stock')).toHaveText(/In stock|Only \d+ left|Out of stock/);
  await expect(page.getByTestId('best-before')).toHaveText(/Best before/);
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});

test('category pages paginate and sort by price', async ({ page }) => {
  await page.goto('/shop/vitamins?sort=price-asc');
  await waitForHydration(page);
  await expect(page.locator('.chip[aria-current="true"]')).toHaveText('Price: low to high');
  const pageOne = (await page.locator('.card .price').allInnerTexts()).map(cents);
  expect(pageOne.length).toBe(6);
  expect([...pageOne].sort((a, b) => a - b)).toEqual(pageOne);

  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/sort=price-asc&page=2$/);
  await expect(page.locator('.card .price')).toHaveCount(2);
  const pageTwo = (await page.locator('.card .price').allInnerTexts()).map(cents);
  expect(pageTwo.length).toBe(2);
  expect(Math.min(...pageTwo)).toBeGreaterThanOrEqual(Math.max(...pageOne));

  await page.getByRole('link', { name: 'Price: high to low' }).click();
  await expect(page).toHaveURL(/sort=price-desc$/);
  await expect(page.locator('.chip[aria-current="true"]')).toHaveText('Price: high to low');
  await expect(page.locator('.card .price')).toHaveCount(6);
  const descending = (await page.locator('.card .price').allInnerTexts()).map(cents);
  expect([...descending].sort((a, b) => b - a)).toEqual(descending);
});

test('unknown URLs get the 404 page with status 404', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("We couldn't find that page");
  await expect(page.getByRole('link', { name: 'Browse the shop' })).toBeVisible();

  const product = await page.goto('/products/no-such-product');
  expect(product?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("We couldn't find that page");
});

test('product photos: responsive WebP, sized, lazy below the fold, loaded on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/shop/moisturisers');
  const cardImage = page.locator('.card img').first();
  await expect(cardImage).toHaveAttribute('loading', 'lazy');
  await expect(cardImage).toHaveAttribute('width', /^\d+$/);
  await expect(cardImage).toHaveAttribute('height', /^\d+$/);
  await expect(page.locator('.card picture source[type="image/webp"]').first()).toHaveAttribute(
    'srcset',
    /\/media\/r1\/[0-9a-f]{64}\/320\.webp 320w/,
  );

  await page.locator('.card a').first().click();
  const photo = page.locator('.product__media img').first();
  await expect(photo).toHaveAttribute('loading', 'eager');
  await expect(photo).toHaveAttribute('alt', /.+/);
  // The browser picked a rendition from srcset and decoded it.
  await expect
    .poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  const chosen = await photo.evaluate((img: HTMLImageElement) => img.currentSrc);
  expect(chosen).toMatch(/\/media\/r1\/[0-9a-f]{64}\/\d+\.webp$/);
  const response = await page.request.get(chosen);
  expect(response.headers()['cache-control']).toContain('immutable');
  expect(response.headers()['content-type']).toBe('image/webp');
});

test('a shopper asks to hear when a sold-out variant is back, and changes her mind', async ({ page, browser }) => {
  // The back office's low-stock list names a sold-out variant of the demo catalog.
  await signedIn(page, 'admin@olivine.test', DEMO_PASSWORD);
  await page.goto('/admin/inventory');
  const row = page.getByTestId('low-stock').locator('tr', { hasText: 'Sold out' }).first();
  const sku = await row.getAttribute('data-sku');
  const product = await row.getByRole('link').getAttribute('href');

  const ann = await browser.newPage();
  try {
    // A visitor is asked to sign in first.
    await ann.goto(`${product}?variant=${sku}`);
    await waitForHydration(ann);
    await expect(ann.getByTestId('sku')).toHaveText(sku!);
    await expect(ann.getByTestId('back-in-stock')).toContainText('Sold out for now.');

    await signedIn(ann, 'ann@olivine.test', DEMO_PASSWORD);
    await ann.goto(`${product}?variant=${sku}`);
    await waitForHydration(ann);
    const box = ann.getByTestId('back-in-stock');
    await box.getByRole('button', { name: "Tell me when it's back" }).click();
    await expect(box).toContainText("We'll tell you when it's back");
    await ann.reload();
    await expect(ann.getByTestId('back-in-stock')).toContainText("We'll tell you when it's back");
    await waitForHydration(ann);
    await ann.getByTestId('back-in-stock').getByRole('button', { name: "Don't tell me" }).click();
    await expect(ann.getByTestId('back-in-stock').getByRole('button', { name: "Tell me when it's back" })).toBeVisible();
  } finally {
    await ann.close();
  }
});
