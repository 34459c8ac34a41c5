import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, applyWithNote, hireDate, saveShiftDraft, signedIn, waitForHydration } from './helpers';

test('a manager edits a draft shift, publishes it, and invites a freelancer who applies from the invitation', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const stamp = Date.now();
  const draftTitle = `Porter, draft ${stamp}`;
  const title = `Night porter ${stamp}`;

  // Finn's profile as managers see it: the link on his own profile page.
  const finn = await browser.newPage();
  try {
    await signedIn(finn, 'finn@olivine.test', DEMO_PASSWORD);
    await finn.goto('/hire/profile');
    const finnProfile = await finn.getByRole('link', { name: 'See your profile as managers do' }).getAttribute('href');
    expect(finnProfile).toMatch(/^\/hire\/freelancers\/[0-9a-f-]+$/);

    // Hana saves a draft, then edits it before publishing: the form comes back filled in.
    await signedIn(page, 'hana@olivine.test', DEMO_PASSWORD);
    await page.goto('/hire/org/harbour-hotels/shifts/new');
    await waitForHydration(page);
    const shiftPage = await saveShiftDraft(page, {
      title: draftTitle,
      city: 'nl-rotterdam',
      date: hireDate(4),
      start: '22:00',
      end: '06:00',
      wage: '19.00',
    });
    await waitForHydration(page);
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page.getByRole('heading', { name: 'Edit draft' })).toBeVisible();
    await waitForHydration(page);
    await expect(page.getByLabel('Title')).toHaveValue(draftTitle);
    await expect(page.getByLabel('City')).toHaveValue('nl-rotterdam');
    await expect(page.getByLabel('End', { exact: true })).toHaveValue('06:00');
    await expect(page.getByLabel('Hourly wage (€)')).toHaveValue('19.00');
    // A bad edit is refused in place.
    await page.getByLabel('Hourly wage (€)').fill('0.10');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByText('Enter an hourly wage from €1.00 to €500.00.')).toBeVisible();
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Hourly wage (€)').fill('21.50');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page).toHaveURL(shiftPage);
    await expect(page.getByRole('heading', { name: title })).toBeVisible();
    await expect(page.getByText('€21.50')).toBeVisible();
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect(page.getByTestId('shift-status')).toHaveText('Open');
    await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);

    // On Finn's profile Hana invites him to the shift, with a message.
    await page.goto(finnProfile!);
    await waitForHydration(page);
    const invite = page.getByRole('region', { name: 'Invite Finn Freelancer to a shift' });
    const option = invite.locator('option', { hasText: title });
    await invite.getByLabel('Shift at Harbour Hotels').selectOption((await option.getAttribute('value'))!);
    await invite.getByLabel('Message').fill('We could use you on nights.');
    await invite.getByRole('button', { name: 'Invite to apply' }).click();
    await expect(invite.getByText('Invitation sent.')).toBeVisible();
    await expect(invite.locator('option', { hasText: title })).toHaveCount(0);
    await page.goto(shiftPage);
    const invited = page.getByTestId('applicants').locator(':scope > li', { hasText: 'Finn Freelancer' });
    await expect(invited).toHaveAttribute('data-status', 'invited');

    // Finn finds the invitation, reads the message, and applies from it.
    await finn.goto('/hire/work/applications');
    const row = finn.getByTestId('applications').locator('li', { hasText: title });
    await expect(row).toHaveAttribute('data-status', 'invited');
    await row.getByRole('link', { name: 'Message' }).click();
    await expect(finn.getByText('We could use you on nights.')).toBeVisible();
    await finn.goto('/hire/work/applications');
    await finn.getByTestId('applications').locator('li', { hasText: title }).getByRole('link', { name: 'Apply' }).click();
    await expect(finn.getByTestId('invited')).toHaveText('Harbour Hotels invited you to apply for this shift.');
    await applyWithNote(finn, 'Happy to do nights.');

    // Hana sees the application with his note, ready for an offer.
    await page.goto(shiftPage);
    await waitForHydration(page);
    const applicant = page.getByTestId('applicants').locator(':scope > li', { hasText: 'Finn Freelancer' });
    await expect(applicant).toHaveAttribute('data-status', 'applied');
    await expect(applicant).toContainText('Happy to do nights.');
    await expect(applicant.getByRole('button', { name: 'Offer a place' })).toBeVisible();
  } finally {
    await finn.close();
  }
});
