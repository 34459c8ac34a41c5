import { expect, type Page } from '@playwright/test';

/** Wait until Leptos has hydrated the page (the app marks <body> from a browser-only effect). */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Euro amount shown on the page ("€1,234.50") in cents. */
export function cents(text: string): number {
  const match = text.match(/€([\d,]+)\.(\d{2})/);
  if (!match) throw new Error(`no euro amount in "${text}"`);
  return Number(match[1].replace(/,/g, '')) * 100 + Number(match[2]);
}

/**
 * The first product in a category whose variants have different prices, with those variants.
 * Found through the pages themselves, so the test does not depend on seed internals.
 */
export async function productWithPricedVariants(page: Page, category: string) {
  await page.goto(`/shop/${category}`);
  const hrefs = await page.locator('.card__link').evaluateAll((links) =>
    links.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''),
  );
  for (const href of hrefs) {
    await page.goto(href);
    const variants = page.locator('.variants a');
    const count = await variants.count();
    if (count < 2) continue;
    const options = [];
    for (let i = 0; i < count; i++) {
      const link = variants.nth(i);
      options.push({
        href: (await link.getAttribute('href')) ?? '',
        label: (await link.locator('.variant__label').innerText()).trim(),
        price: (await link.locator('.variant__price').innerText()).trim(),
      });
    }
    if (new Set(options.map((o) => o.price)).size > 1) return { href, options };
  }
  throw new Error(`no product in ${category} has variants with different prices`);
}

/** The password of every seeded demo account. */
export const DEMO_PASSWORD = 'olivine-demo-password';

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/signin');
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A day ahead on the Hire wall clock, as a date field wants it. */
export function hireDate(daysAhead: number): string {
  return new Date(Date.now() + daysAhead * 86_400_000).toLocaleDateString('sv-SE', {
    timeZone: 'Europe/Amsterdam',
  });
}
