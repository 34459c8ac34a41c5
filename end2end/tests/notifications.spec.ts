import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, applyWithNote, hireDate, saveShiftDraft, signedIn, waitForHydration } from './helpers';

test('an application, an offer and a message reach the other side live and in the notifications', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const title = `Forklift driver ${Date.now()}`;

  // Olga (Canal Logistics; no other spec signs in as her) posts and publishes a shift.
  await signedIn(page, 'olga@olivine.test', DEMO_PASSWORD);
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
    await signedIn(fay, 'fay@olivine.test', DEMO_PASSWORD);
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

    // Fay watches her applications while Olga, following the notification's link, offers the
    // place: the offer appears on Fay's page without a reload, with a toast.
    await fay.goto('/hire/work/applications');
    await waitForHydration(fay);
    const mine = fay.getByTestId('applications').locator(':scope > li', { hasText: title });
    await expect(mine.getByRole('button', { name: 'Accept offer' })).toHaveCount(0);
    await received.getByRole('link', { name: 'New application from Fay Freelancer' }).click();
    await expect(page).toHaveURL(managerShift);
    await waitForHydration(page);
    const applicant = page.getByTestId('applicants').locator(':scope > li', { hasText: 'Fay Freelancer' });
    await applicant.getByRole('button', { name: 'Offer a place' }).click();
    await expect(applicant).toHaveAttribute('data-status', 'offered');
    await expect(mine.getByRole('button', { name: 'Accept offer' })).toBeVisible();
    await expect(fay.getByTestId('toasts')).toContainText('An offer from Canal Logistics');

    // Olga writes from the applicant's thread; it appears in Fay's open thread as it is sent.
    await applicant.getByRole('link', { name: 'Message' }).click();
    await expect(page).toHaveURL(/\/hire\/org\/canal-logistics\/messages\/[0-9a-f-]+$/);
    const thread = page.url().replace('/hire/org/canal-logistics/messages/', '/hire/messages/');
    await fay.goto(thread);
    await waitForHydration(fay);
    await waitForHydration(page);
    await page.getByLabel('Your message').fill(`Bring safety boots (${title}).`);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(fay.getByTestId('messages')).toContainText(`Bring safety boots (${title}).`);

    // Fay finds the offer in her notifications and marks it read on its own.
    await fay.goto('/account/notifications');
    await waitForHydration(fay);
    const offer = fay
      .getByTestId('notification')
      .filter({ hasText: 'An offer from Canal Logistics' })
      .filter({ hasText: title });
    await expect(offer).toHaveCount(1);
    await offer.getByRole('button', { name: 'Mark as read' }).click();
    await expect(offer.getByRole('button', { name: 'Mark as read' })).toHaveCount(0);
    await offer.getByRole('link', { name: 'An offer from Canal Logistics' }).click();
    await expect(fay).toHaveURL(/\/hire\/work\/applications$/);

    // The offer also reached Fay's inbox (here the dev mailbox); its link stops offer emails,
    // after asking (mail scanners open links).
    const offerMail = fay
      .locator('.mailbox__message[data-to="fay@olivine.test"]')
      .filter({ hasText: 'An offer from Canal Logistics' })
      .filter({ hasText: title });
    await expect
      .poll(
        async () => {
          await fay.goto('/dev/mailbox');
          return offerMail.count();
        },
        { message: 'the offer by email', timeout: 30_000, intervals: [500] },
      )
      .toBe(1);
    const unsubscribe = await offerMail.locator('a[href*="/email/unsubscribe?token="]').getAttribute('href');
    await fay.goto(new URL(unsubscribe!).pathname + new URL(unsubscribe!).search);
    await waitForHydration(fay);
    await expect(fay.getByText('Stop emails about “Offer”?')).toBeVisible();
    await fay.getByRole('button', { name: 'Unsubscribe' }).click();
    await expect(fay.getByTestId('unsubscribed')).toHaveText('Done: you will get no more emails about “Offer”.');

    // Her email settings say so; she turns offers back on there.
    await fay.goto('/account/notifications');
    await waitForHydration(fay);
    const offers = fay.getByLabel('Offer', { exact: true });
    await expect(offers).toHaveValue('off');
    await offers.selectOption('immediately');
    await fay.getByRole('button', { name: 'Save email settings' }).click();
    await expect(fay.getByText('Email settings saved.')).toBeVisible();
    await fay.reload();
    await expect(fay.getByLabel('Offer', { exact: true })).toHaveValue('immediately');

    // The used link says it was used (offers are on again since); a mangled one says it
    // doesn't work and where to go instead.
    await fay.goto(new URL(unsubscribe!).pathname + new URL(unsubscribe!).search);
    await expect(fay.getByTestId('unsubscribed')).toHaveText('This link was already used: it stopped emails about “Offer”.');
    await fay.goto('/email/unsubscribe?token=not-a-token');
    await expect(fay.getByTestId('unsubscribe-invalid')).toContainText('This unsubscribe link is not valid');
    await expect(fay.getByTestId('unsubscribe').getByRole('link', { name: 'notifications page' })).toBeVisible();
  } finally {
    await fay.close();
  }
});
