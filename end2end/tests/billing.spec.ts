import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, enterCard, signedIn, waitForHydration } from './helpers';

test("a manager saves the organisation's card through 3-D Secure; a declined card is not saved", async ({ page }) => {
  await signedIn(page, 'mia@olivine.test', DEMO_PASSWORD);
  await page.goto('/hire/org/meadow-events');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Billing' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Billing' })).toBeVisible();

  // The bank declines the first card: the form says so and nothing is saved.
  await page.getByRole('button', { name: /^(Add a card|Replace the card)$/ }).click();
  await enterCard(page, '4000 0000 0000 0002');
  await expect(page.locator('[data-payment-status]')).toContainText('You can try again or use another card.');

  // A card whose bank asks for 3-D Secure, in the same form: saved once the challenge is done.
  await page.getByLabel('Card number').fill('4000 0025 0000 3155');
  await page.getByRole('button', { name: 'Save the card' }).click();
  const challenge = page.getByRole('dialog', { name: '3D Secure test payment' });
  await expect(challenge).toBeVisible();
  await challenge.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page).toHaveURL(/\/hire\/org\/meadow-events\/billing\?setup_intent=seti_/);
  await expect(page.getByTestId('card-status')).toContainText('Card saved.');
  await expect(page.getByTestId('saved-card')).toContainText('Visa •••• 3155, expires 12/2034');

  // Back later: the card is the organisation's.
  await page.goto('/hire/org/meadow-events/billing');
  await expect(page.getByTestId('saved-card')).toContainText('Visa •••• 3155');
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: 'Replace the card' })).toBeVisible();
});
