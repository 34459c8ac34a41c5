import { expect, test, type Browser, type Cookie, type Page } from '@playwright/test';
import { createHash, createHmac } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** The seeded admin: the back office needs two-step sign-in, so it has an authenticator. */
export const DEMO_ADMIN = 'admin@olivine.test';
/** The demo admin's authenticator secret (base32 N5WGS5TJNZSS2ZDFNVXS2YLENVUW4IJB). */
export const DEMO_ADMIN_AUTHENTICATOR = Buffer.from('olivine-demo-admin!!');

/** Length of an authenticator step (RFC 6238). */
const STEP_MS = 30_000;

/** The six-digit code (RFC 6238: HMAC-SHA1, 30-second steps) of `secret` for time step `step`. */
export function codeAt(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

/** The six-digit code of `secret`, `steps` from now. */
export function totp(secret: Buffer, steps = 0, at = Date.now()): string {
  return codeAt(secret, Math.floor(at / STEP_MS) + steps);
}

/**
 * Take the current 30-second step of `secret` for this test alone. The server takes a code once,
 * and only for a step later than the last one it took, so two workers signing in as the same
 * person within one step would see the second refused (and refusals count towards the
 * account's limit). Each step is claimed by creating a file no other worker of this run can
 * create again; when the current step is taken, the next one is waited for, and the test gets
 * that much more time.
 */
async function claimStep(secret: Buffer): Promise<number> {
  const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
  const id = createHash('sha256').update(base).update(secret).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'olivine-e2e-steps', id);
  mkdirSync(dir, { recursive: true });
  for (;;) {
    const step = Math.floor(Date.now() / STEP_MS);
    try {
      closeSync(openSync(join(dir, String(step)), 'wx'));
      return step;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const wait = STEP_MS - (Date.now() % STEP_MS) + 200;
    test.info().setTimeout(test.info().timeout + wait);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * Give the second step of a sign-in a code of `secret`, from a step no other test of this run
 * used. A step this person used before in the test itself (turning the app on, confirming) is
 * refused once, and the next one is claimed.
 */
export async function enterSignInCode(page: Page, secret: Buffer): Promise<void> {
  await expect(page).toHaveURL(/\/signin\/second-factor/);
  await waitForHydration(page);
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.getByLabel('Code', { exact: true }).fill(codeAt(secret, await claimStep(secret)));
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/accounts/second-factor')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    if (answer.ok()) {
      await expect(page).not.toHaveURL(/\/signin\/second-factor/);
      return;
    }
  }
  throw new Error('three codes of the authenticator, each from a step of its own, were refused');
}

/**
 * This worker's sign-in as the demo admin, reused by its later tests while the second step is
 * fresh (well inside the 10 minutes after which refunds and role changes ask again): every
 * admin sign-in takes a 30-second step of the one authenticator, and the suite has many.
 */
let adminSession: { cookies: Cookie[]; at: number } | undefined;
const ADMIN_SESSION_REUSE_MS = 4 * 60_000;

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  if (email === DEMO_ADMIN && adminSession && Date.now() - adminSession.at < ADMIN_SESSION_REUSE_MS) {
    await page.context().addCookies(adminSession.cookies);
    await page.goto('/account');
    // A test that signed this session out leaves it dead: then sign in anew.
    if ((await page.locator('.account-menu__me').count()) > 0) return;
    await page.context().clearCookies();
  }
  await page.goto('/signin');
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (email === DEMO_ADMIN) {
    await enterSignInCode(page, DEMO_ADMIN_AUTHENTICATOR);
    const cookies = await page.context().cookies();
    adminSession = { cookies: cookies.filter((c) => c.name === 'olivine_session'), at: Date.now() };
  }
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

/**
 * The newest dev-mailbox link for `to` whose URL contains `path` (the relay runs every 0.5 s),
 * waiting up to `timeout` ms for it (longer for mail a background job sends).
 */
export async function mailedLink(page: Page, to: string, path: string, timeout = 10_000): Promise<string> {
  const links = page.locator(`.mailbox__message[data-to="${to}"] a[href*="${path}?token="]`);
  let href: string | null = null;
  await expect
    .poll(
      async () => {
        await page.goto('/dev/mailbox');
        href = (await links.count()) > 0 ? await links.first().getAttribute('href') : null;
        return href;
      },
      { message: `a mail to ${to} with a ${path} link`, timeout, intervals: [250] },
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
export async function enterCard(
  page: Page,
  number: string,
  submit: string | RegExp = 'Save the card',
): Promise<void> {
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

/** Add one of the product at `path` to the cart (page hydrated first). */
export async function addToCart(page: Page, path: string) {
  await page.goto(path);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Added to your cart.' })).toBeVisible();
}

/**
 * From the cart to the payment form, shipping to Amsterdam with standard delivery; with
 * `usePoints`, spending the customer's loyalty points.
 */
export async function checkOut(page: Page, { usePoints = false } = {}) {
  await page.goto('/cart');
  await page.getByTestId('checkout-link').click();
  await expect(page).toHaveURL(/\/checkout$/);
  await waitForHydration(page);
  await page.getByLabel('Full name').fill('Ben de Vries');
  await page.getByLabel('Street and number').fill('Keizersgracht 12');
  await page.getByLabel('Postal code').fill('1015 CS');
  await page.getByLabel('Town or city').fill('Amsterdam');
  await expect(page.getByTestId('checkout-total')).toContainText('€');
  if (usePoints) {
    await page.getByLabel(/^Use my points/).check();
    await expect(page.getByTestId('summary-points')).toBeVisible();
  }
  const total = cents(await page.getByTestId('checkout-total').innerText());
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page.getByRole('heading', { name: /Payment for order OL-/ })).toBeVisible();
  // The card form comes from Stripe.js (locally: the emulator's stand-in), not from Olivine.
  await expect(page.getByLabel('Card number')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Pay €/ })).toBeEnabled();
  return total;
}

/** As support in `admin`: open order `reference` and mark it packed, then shipped with `tracking`. */
export async function shipOrder(admin: Page, reference: string, tracking: string) {
  await admin.goto(`/admin/orders?q=${reference}`);
  await admin.getByRole('link', { name: reference }).click();
  await waitForHydration(admin);
  await admin.getByRole('button', { name: 'Mark packed' }).click();
  await expect(admin.getByTestId('order-status')).toHaveText('Packed');
  await admin.getByLabel('Tracking number').fill(tracking);
  await admin.getByRole('button', { name: 'Mark shipped' }).click();
  await expect(admin.getByTestId('order-status')).toHaveText('Shipped');
}

/** The order page after paying: paid, its batches shown, its total the one checked out. */
export async function expectPaidOrder(page: Page, total: number) {
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]+\?paid=1$/);
  await expect(page.getByTestId('order-status')).toHaveText('Paid');
  await expect(page.getByText(/Thank you! Your payment was received/)).toBeVisible();
  await expect(page.getByText(/^Batch [A-Z0-9-]+, best before /).first()).toBeVisible();
  await expect(page.getByTestId('order-timeline')).toContainText('Payment received');
  expect(cents(await page.locator('.summary__total dd').innerText())).toBe(total);
}

/** An address nobody else uses, for an account of a test's own. */
export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** The password of accounts the tests sign up. */
export const SIGN_UP_PASSWORD = 'a sentence long enough';

/**
 * Sign up as `name` with a fresh address and confirm it from the mail: a person of the test's
 * own, signed in on the account page. Returns the address.
 */
export async function signedUp(page: Page, name: string): Promise<string> {
  const email = uniqueEmail('sign-up');
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(SIGN_UP_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  await page.goto(await mailedLink(page, email, '/verify-email'));
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await expect(page).toHaveURL(/\/account\?welcome=1$/);
  return email;
}

/**
 * The demo admin (in a browser of its own) gives `email`'s account the catalog admin scope;
 * then `page`, signed in as that person, opens the back office and is sent to set up two-step
 * sign-in first (the security page, hydrated).
 */
export async function madeCatalogAdmin(browser: Browser, page: Page, email: string): Promise<void> {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, DEMO_ADMIN, DEMO_PASSWORD);
  await admin.goto(`/admin/users?q=${encodeURIComponent(email)}`);
  await waitForHydration(admin);
  const row = admin.locator(`[data-testid="users"] tr[data-email="${email}"]`);
  await row.getByRole('button', { name: 'Admin · catalog' }).click();
  await expect(row.getByRole('button', { name: 'Admin · catalog' })).toHaveAttribute('aria-pressed', 'true');
  await admin.close();

  await page.goto('/admin/products');
  await expect(page).toHaveURL(/\/account\/security\?next=/);
  await waitForHydration(page);
}
