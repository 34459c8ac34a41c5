import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, applyWithNote, hireDate, saveShiftDraft, signIn, waitForHydration } from './helpers';

test('an application and an offer reach the other side as notifications, read from the bell', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const title = `Forklift driver ${Date.now()}`;

  // Olga (Canal Logistics; no other spec signs in as her) posts and publishes a shift.
  await signIn(page, 'olga@olivine.test', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await page.goto('/hire/org/canal-logistics/shifts/new');
  await waitForHydration(page);
  const managerShift = await saveShiftDraft(page, {
    title,
    city: 'nl-utrecht',
    date: hireDate(6),
    start: '07:00',
    end: '15:00',
    wage: '18.00',
  });
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('shift-status')).toHaveText('Open');
  await expect(page.getByTestId('bell-count')).toHaveCount(0);

  const fay = await browser.newPage();
  try {
    // Fay applies.
    await signIn(fay, 'fay@olivine.test', DEMO_PASSWORD);
    await expect(fay).toHaveURL(/\/account$/);
    await fay.goto(managerShift.replace('/hire/org/canal-logistics/shifts/', '/hire/shifts/'));
    await expect(fay.getByRole('heading', { name: title })).toBeVisible();
    await applyWithNote(fay, 'Licensed since 2019.');

    // Olga's bell counts it; the list says who applied to what, and marking it read clears the bell.
    await page.reload();
    await waitForHydration(page);
    await expect(page.getByTestId('bell-count')).toHaveText('1');
    await page.getByTestId('bell').click();
    await expect(page).toHaveURL(/\/account\/notifications$/);
    const received = page.getByTestId('notification').filter({ hasText: title });
    await expect(received).toContainText('New application from Fay Freelancer');
    await expect(page.getByTestId('unread-count')).toHaveText('1 unread');
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await expect(page.getByTestId('unread-count')).toHaveText('All read');
    await expect(page.getByTestId('bell-count')).toHaveCount(0);

    // The link leads to the shift, where Olga offers the place.
    await received.getByRole('link', { name: 'New application from Fay Freelancer' }).click();
    await expect(page).toHaveURL(managerShift);
    await waitForHydration(page);
    const applicant = page.getByTestId('applicants').locator(':scope > li', { hasText: 'Fay Freelancer' });
    await applicant.getByRole('button', { name: 'Offer a place' }).click();
    await expect(applicant).toHaveAttribute('data-status', 'offered');

    // Fay finds the offer in her notifications and marks it read on its own.
    await fay.goto('/account/notifications');
    await waitForHydration(fay);
    const offer = fay.getByTestId('notification').filter({ hasText: title });
    await expect(offer).toContainText('An offer from Canal Logistics');
    await offer.getByRole('button', { name: 'Mark as read' }).click();
    await expect(offer.getByRole('button', { name: 'Mark as read' })).toHaveCount(0);
    await offer.getByRole('link', { name: 'An offer from Canal Logistics' }).click();
    await expect(fay).toHaveURL(/\/hire\/work\/applications$/);
  } finally {
    await fay.close();
  }
});
