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

/** Sign in and wait until the account page shows: going on earlier races the sign-in. */
export async function signedIn(page: Page, email: string, password: string): Promise<void> {
  await signIn(page, email, password);
  await expect(page).toHaveURL(/\/account$/);
}

/** A day ahead on the Hire wall clock, as a date field wants it. */
export function hireDate(daysAhead: number): string {
  return new Date(Date.now() + daysAhead * 86_400_000).toLocaleDateString('sv-SE', {
    timeZone: 'Europe/Amsterdam',
  });
}

/** The newest dev-mailbox link for `to` whose URL contains `path` (the relay runs every 0.5 s). */
export async function mailedLink(page: Page, to: string, path: string): Promise<string> {
  const links = page.locator(`.mailbox__message[data-to="${to}"] a[href*="${path}?token="]`);
  let href: string | null = null;
  await expect
    .poll(
      async () => {
        await page.goto('/dev/mailbox');
        href = (await links.count()) > 0 ? await links.first().getAttribute('href') : null;
        return href;
      },
      { message: `a mail to ${to} with a ${path} link`, timeout: 10_000, intervals: [250] },
    )
    .not.toBeNull();
  const url = new URL(href!);
  return url.pathname + url.search;
}

/** A shift as the "Post a shift" form takes it; times as "09:00", the date from `hireDate`. */
export interface ShiftForm {
  title: string;
  city: string;
  date: string;
  start: string;
  end: string;
  wage: string;
  description?: string;
  breakMinutes?: string;
  people?: string;
}

/**
 * Fill in the "Post a shift" form open (and hydrated) on `page` and save the shift as a draft.
 * Returns the draft's page in the organisation's shifts.
 */
export async function saveShiftDraft(page: Page, shift: ShiftForm): Promise<string> {
  await page.getByLabel('Title').fill(shift.title);
  if (shift.description !== undefined) await page.getByLabel('Description').fill(shift.description);
  await page.getByLabel('City').selectOption(shift.city);
  await page.getByLabel('Date').fill(shift.date);
  await page.getByLabel('Start').fill(shift.start);
  await page.getByLabel('End', { exact: true }).fill(shift.end);
  if (shift.breakMinutes !== undefined) await page.getByLabel('Break (minutes)').fill(shift.breakMinutes);
  if (shift.people !== undefined) await page.getByLabel('People needed').fill(shift.people);
  await page.getByLabel('Hourly wage (€)').fill(shift.wage);
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/hire\/org\/[a-z0-9-]+\/shifts\/[0-9a-f-]+$/);
  return page.url();
}

/** On the shift page open on `page`, apply with `note`; the page then says so. */
export async function applyWithNote(page: Page, note: string): Promise<void> {
  await waitForHydration(page);
  await page.getByLabel('A note for the manager').fill(note);
  await page.getByRole('button', { name: 'Apply for this shift' }).click();
  await expect(page.getByTestId('my-application')).toHaveText('You applied: applied.');
}

/** Type a test card into Stripe's card form (the emulator's Stripe.js) and submit it. */
export async function enterCard(page: Page, number: string, submit = 'Save the card'): Promise<void> {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry').fill('12 / 34');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: submit }).click();
}

/**
 * Make sure the organisation `slug` has a card for Hire bookings (Visa 4242 when it has none),
 * as its signed-in manager on `page`: bookings are charged to it when a freelancer accepts.
 */
export async function ensureHireCard(page: Page, slug: string): Promise<void> {
  await page.goto(`/hire/org/${slug}/billing`);
  await expect(page.getByTestId('saved-card')).toBeVisible();
  if (!(await page.getByTestId('saved-card').textContent())?.includes('No card saved yet.')) return;
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Add a card' }).click();
  await enterCard(page, '4242 4242 4242 4242');
  await expect(page.getByTestId('saved-card')).toContainText('Visa •••• 4242');
}
