import { expect } from '@playwright/test';
import { test } from './fixtures';
import {
  DEMO_PASSWORD,
  addToCart,
  checkOut,
  enterCard,
  expectPaidOrder,
  shipOrder,
  signedIn,
  signedUp,
  waitForHydration,
} from './helpers';

const PRODUCT = '/products/vitamin-d3-1000-iu';

test('a customer reviews a delivered product, the review waits for its link, a moderator publishes it and search rates the product', async ({ page, browser }) => {
  // A sign-up, a back-office session and a paid checkout: the budget of the other specs that
  // do all three (30 s was their length on an idle machine, and two workers ran past it).
  test.setTimeout(90_000);
  await signedUp(page, 'Rita Reviewer');
  await addToCart(page, PRODUCT);
  const total = await checkOut(page);
  await enterCard(page, '4242 4242 4242 4242', /^Pay €/);
  await expectPaidOrder(page, total);
  const reference = (await page.getByRole('heading', { level: 1 }).innerText()).match(/OL-\d+/)?.[0];
  expect(reference).toBeTruthy();

  // Paid is not received: the product page says when reviewing opens.
  await page.goto(`${PRODUCT}#reviews`);
  const reviews = page.locator('#reviews');
  await expect(reviews).toContainText('you can review it once an order with it has been delivered to you');

  // Support packs, ships and delivers the order.
  const admin = await browser.newPage();
  await signedIn(admin, 'admin@olivine.test', DEMO_PASSWORD);
  await shipOrder(admin, reference!, '3SABC7654321');
  await admin.getByRole('button', { name: 'Mark delivered' }).click();
  await expect(admin.getByTestId('order-status')).toHaveText('Delivered');

  // Now the form is there; a review without stars is refused and nothing typed is lost.
  // (The page is still at this URL: going to it again would only scroll, so reload.)
  const title = `Sunny winter ${Date.now()}`;
  await page.reload();
  await waitForHydration(page);
  const form = page.getByTestId('review-form');
  await expect(form).toBeVisible();
  await form.getByLabel('5 stars').check();
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Your review').fill('One a day since October. My levels were fine at the check-up; details on www.example.org');
  await form.getByRole('button', { name: 'Publish review' }).click();
  await expect(page.getByTestId('my-review')).toContainText('a moderator reads it first');
  await expect(reviews.getByRole('heading', { name: title })).toHaveCount(0);

  // The moderator sees why it waits and publishes it.
  await admin.goto('/admin/reviews');
  await waitForHydration(admin);
  const queued = admin.getByTestId('queued-review').filter({ hasText: title });
  await expect(queued).toContainText('Held: It contains a link.');
  await expect(queued).toContainText('Rita Reviewer');
  await queued.getByRole('button', { name: 'Publish' }).click();
  await expect(admin.getByTestId('queued-review').filter({ hasText: title })).toHaveCount(0);
  await admin.getByRole('link', { name: 'Published' }).click();
  await expect(admin.getByTestId('queued-review').filter({ hasText: title })).toBeVisible();
  await admin.close();

  // The product page shows it with the average and the spread; the customer hears of it.
  await page.reload();
  const mine = reviews.getByTestId('review').filter({ hasText: title });
  await expect(mine).toContainText('Rita R.');
  await expect(mine.getByRole('img', { name: '5 out of 5 stars' })).toBeVisible();
  await expect(page.getByTestId('rating-summary')).toContainText('out of 5');
  await expect(page.getByTestId('my-review')).toHaveText('Thank you: your review is published.');

  // Search rates it: "4 stars and up" keeps it (the index follows within moments).
  await expect(async () => {
    await page.goto('/search?rating=4&sort=rating');
    await expect(page.locator('a[data-facet="rating=4"]')).toHaveAttribute('aria-current', 'true');
    await expect(page.locator(`a.search-hit__name[href="${PRODUCT}"]`)).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
});
