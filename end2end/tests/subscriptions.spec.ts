import { expect } from '@playwright/test';
import { test } from './fixtures';
import { checkOut, enterCard, expectPaidOrder, signedUp, waitForHydration } from './helpers';

test('a shopper subscribes at checkout, sees it in the account, skips a delivery, changes the quantity, size and address', async ({ page }) => {
  await signedUp(page, 'Sam Subscriber');

  // The buy box offers one-time or subscribe-and-save at 15 % off for the magnesium.
  await page.goto('/products/magnesium-bisglycinate');
  await waitForHydration(page);
  const choice = page.getByTestId('purchase-choice');
  await expect(choice).toBeVisible();
  await choice.getByLabel(/Subscribe, every month — save 15%/).check();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Added to your cart.' })).toBeVisible();

  // The cart and the checkout say it is a subscription.
  await page.goto('/cart');
  await expect(page.getByTestId('line-subscription')).toHaveText('Subscription: delivered every month');
  const total = await checkOut(page);
  await expect(page.getByTestId('summary-subscriptions')).toContainText('delivered every month');
  await enterCard(page, '4242 4242 4242 4242', /^Pay €/);
  await expectPaidOrder(page, total);

  // The paid order started the subscription.
  await page.goto('/account');
  await page.getByRole('link', { name: 'Subscriptions' }).click();
  await expect(page).toHaveURL(/\/account\/subscriptions$/);
  await waitForHydration(page);
  const card = page.getByTestId('subscription');
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId('subscription-status')).toHaveText('Active');
  const next = card.getByTestId('next-delivery');
  await expect(next).toContainText(/^Next delivery on \d{1,2} \w+ \d{4}: €/);
  const before = await next.innerText();

  // Skip the next delivery: the date moves a month on and the history says so.
  await card.getByRole('button', { name: 'Skip the next delivery' }).click();
  await expect(next).not.toHaveText(before);
  await card.getByText('History').click();
  await expect(card.getByRole('listitem').filter({ hasText: 'Delivery skipped' })).toBeVisible();

  // Two per delivery from now on.
  await card.getByLabel('Quantity per delivery').fill('2');
  await card.getByRole('button', { name: 'Change quantity' }).click();
  await expect(card).toContainText('2 per delivery, every month');
  // The history (open or folded, as the refreshed card left it) has the change.
  await expect(card.getByTestId('subscription-history')).toContainText('Now 2 per delivery (was 1).');

  // Another size from the next delivery on, at its subscriber price.
  const size = card.getByLabel('Size', { exact: true });
  const chosen = (await size.locator('option').first().innerText()).split(' — ')[0];
  await size.selectOption({ index: 0 });
  await card.getByRole('button', { name: 'Change size' }).click();
  await expect(card.getByTestId('subscription-what')).toHaveText(`${chosen} · 2 per delivery, every month`);
  await expect(card.getByTestId('subscription-history')).toContainText(`Now ${chosen} at`);

  // Deliveries go to another address; a postal code that doesn't fit is refused by its field.
  await card.getByText('Change the delivery address').click();
  await card.getByLabel('Town or city').fill('Utrecht');
  await card.getByLabel('Postal code').fill('99');
  await card.getByRole('button', { name: 'Save the address' }).click();
  await expect(card.getByText("That postal code doesn't look right for the country chosen.")).toBeVisible();
  await card.getByLabel('Postal code').fill('3511 AB');
  await card.getByRole('button', { name: 'Save the address' }).click();
  await expect(card).toContainText(', Utrecht, NL.');
  await expect(card.getByTestId('subscription-history')).toContainText('Deliveries now go to');

  // A reminder's link asks to skip exactly the delivery it was sent for, in one click; once it
  // is skipped the link says so and skips nothing more.
  const id = await card.getAttribute('data-id');
  const due = await card.getAttribute('data-next');
  await page.goto(`/account/subscriptions?skip=${id}&due=${due}`);
  await waitForHydration(page);
  const prompt = card.getByTestId('skip-prompt');
  await expect(prompt).toContainText('Skip the delivery of');
  const shown = await next.innerText();
  await prompt.getByRole('button', { name: 'Skip this delivery' }).click();
  await expect(next).not.toHaveText(shown);
  await expect(prompt).toContainText('is no longer the next one');
});
