import { promises as fs } from 'node:fs';
import { expect, type APIRequestContext } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, applyWithNote, ensureHireCard, hireDate, saveShiftDraft, signedIn, waitForHydration } from './helpers';

// The tests move the server's Hire clock: one at a time, and each puts it back after, in a hook
// of its own so a failure in the test is reported where it happened.
test.describe.configure({ mode: 'serial' });
test.afterEach(async ({ request }) => setHireClock(request, 0));

/** Move the server's Hire clock (local development only) so a shift's end can be reached. */
async function setHireClock(request: APIRequestContext, hours: number) {
  const reply = await request.post('/api/dev/clock', {
    form: { hours: String(hours) },
    headers: { accept: 'application/json' },
  });
  expect(reply.ok()).toBeTruthy();
}

test('a manager posts a shift, a freelancer applies, is hired, submits hours, the manager approves them, and the freelancer is paid out', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const title = `Barista, pop-up ${Date.now()}`;
  const date = hireDate(1);

  // The manager posts the shift as a draft, then publishes it.
  await signedIn(page, 'hana@olivine.test', DEMO_PASSWORD);
  // Bookings are charged to Harbour's card when the freelancer accepts.
  await ensureHireCard(page, 'harbour-hotels');
  await page.goto('/hire/org/harbour-hotels');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Post a shift' }).click();
  await expect(page.getByRole('heading', { name: 'Post a shift' })).toBeVisible();
  await waitForHydration(page);
  // Bad input is refused field by field, and nothing typed is lost.
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.locator('#field-shift-city').locator('xpath=..').getByText('Choose the city the shift is in.')).toBeVisible();
  await expect(page.getByLabel('Title')).toHaveValue(title);
  const managerShift = await saveShiftDraft(page, {
    title,
    city: 'nl-utrecht',
    date,
    start: '09:00',
    end: '17:30',
    breakMinutes: '30',
    people: '1',
    // An hourly wage no seeded shift pays, so the freelancer's filter finds this one.
    wage: '31.70',
  });
  await expect(page.getByTestId('shift-status')).toHaveText('Draft');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('shift-status')).toHaveText('Open');

  // The freelancer finds it near home, and applies with a note.
  const freelancer = await browser.newPage();
  try {
    await signedIn(freelancer, 'fay@olivine.test', DEMO_PASSWORD);
    await freelancer.goto('/hire/work');
    await waitForHydration(freelancer);
    await freelancer.getByLabel('Minimum wage (€/h)').fill('31.70');
    await freelancer.getByRole('button', { name: 'Filter' }).click();
    await expect(freelancer).toHaveURL(/min_wage=31.70/);
    // It is in the filtered results (and may be among "Recommended for you" too).
    await freelancer.getByTestId('work-results').getByRole('link', { name: title }).click();
    await expect(freelancer.getByRole('heading', { name: title })).toBeVisible();
    await applyWithNote(freelancer, 'Three winters at the Christmas market.');

    // The manager sees the applicant with the note and offers the place: the shift is filled.
    await page.goto(managerShift);
    await waitForHydration(page);
    const applicant = page.getByTestId('applicants').locator(':scope > li', { hasText: 'Fay Freelancer' });
    await expect(applicant).toContainText('Three winters at the Christmas market.');
    await applicant.getByRole('button', { name: 'Offer a place' }).click();
    await expect(applicant).toHaveAttribute('data-status', 'offered');
    await expect(page.getByTestId('shift-status')).toHaveText('Filled');

    // The manager writes to the applicant; the freelancer sees it unread, reads it and replies.
    await applicant.getByRole('link', { name: 'Message' }).click();
    await expect(page.getByRole('heading', { name: 'Fay Freelancer' })).toBeVisible();
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByText('Write a message first.')).toBeVisible();
    await page.getByLabel('Your message').fill('Can you start at 8:30 instead?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByTestId('messages')).toContainText('Can you start at 8:30 instead?');
    const managerThread = page.url();

    await freelancer.goto('/hire/work/applications');
    const messagesLink = freelancer.getByRole('navigation', { name: 'Hire' }).getByRole('link', { name: /^Messages/ });
    // Other tests (and earlier repetitions) may have left Fay unread messages of their own; this
    // conversation's count is checked exactly below.
    await expect(messagesLink.getByTestId('unread-badge')).toHaveText(/^[1-9]\d*$/);
    await messagesLink.click();
    const conversation = freelancer.getByTestId('inbox').locator('li', { hasText: title });
    await expect(conversation.getByTestId('unread')).toHaveText('1 new');
    await conversation.getByRole('link').click();
    await expect(freelancer.getByTestId('messages')).toContainText('Can you start at 8:30 instead?');
    await waitForHydration(freelancer);
    await freelancer.getByLabel('Your message').fill('Yes, 8:30 works.');
    await freelancer.getByRole('button', { name: 'Send' }).click();
    await expect(freelancer.getByTestId('messages')).toContainText('Yes, 8:30 works.');
    await page.goto(managerThread);
    await expect(page.getByTestId('messages')).toContainText('Yes, 8:30 works.');

    // The freelancer accepts the offer.
    await freelancer.goto('/hire/work/applications');
    await waitForHydration(freelancer);
    const offer = freelancer.getByTestId('applications').locator('li', { hasText: title });
    await offer.getByRole('button', { name: 'Accept offer' }).click();
    await expect(freelancer.getByText("You're booked.")).toBeVisible();
    await expect(offer).toHaveAttribute('data-status', 'hired');

    // Accepting funds the booking: 8 h at €31.70 plus the 10 % fee, charged to Harbour's card
    // and held in escrow.
    await page.goto('/hire/org/harbour-hotels/billing');
    const payment = page.getByTestId('payments').locator('tr', { hasText: title });
    await expect(async () => {
      await page.reload();
      await expect(payment).toHaveAttribute('data-status', 'funded', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(payment).toContainText('€278.96');
    await expect(payment).toContainText('Paid into escrow');

    // Two days later the shift is over: the freelancer submits the hours as scheduled.
    await setHireClock(freelancer.request, 48);
    await freelancer.goto('/hire/work/shifts');
    await waitForHydration(freelancer);
    const shift = freelancer.locator('article', { hasText: title });
    await expect(shift.getByLabel('Start')).toHaveValue('09:00');
    await shift.getByRole('button', { name: 'Submit hours' }).click();
    await expect(shift.getByTestId('timesheet')).toContainText('Waiting for approval');
    await expect(shift.getByTestId('timesheet')).toContainText('8 h = €253.60');

    // The manager approves them from the organisation's page: the contract is completed.
    await page.goto('/hire/org/harbour-hotels');
    await waitForHydration(page);
    const waiting = page.getByTestId('hours-waiting').locator('li', { hasText: title });
    await expect(waiting).toContainText('€253.60');
    await waiting.getByRole('button', { name: 'Approve' }).click();
    await expect(waiting).toHaveCount(0);
    await page.goto(managerShift);
    await waitForHydration(page);
    const contract = page.locator('article.contract', { hasText: 'Fay Freelancer' });
    await expect(contract).toHaveAttribute('data-status', 'completed');
    await expect(contract.getByTestId('timesheet')).toContainText('Approved');
    await expect(contract).toContainText('Hours approved: €253.60 owed');

    // Both sides rate each other once the shift is completed.
    await contract.getByRole('button', { name: 'Send rating' }).click();
    await expect(contract.getByText('Choose from 1 to 5 stars.')).toBeVisible();
    await contract.getByLabel('Your rating').selectOption('5');
    await contract.getByLabel('A few words (optional)').fill('Calm under a long queue.');
    await contract.getByRole('button', { name: 'Send rating' }).click();
    await expect(contract.getByTestId('ratings')).toContainText('You gave ★★★★★ — “Calm under a long queue.”');
    await expect(contract.getByRole('button', { name: 'Send rating' })).toHaveCount(0);

    // Harbour's statement books it: charged, released to Fay with the fee, nothing held; the
    // CSV download says the same.
    await page.goto('/hire/org/harbour-hotels/billing');
    const booked = page.getByTestId('statement').locator('tbody tr', { hasText: title });
    await expect(async () => {
      await page.reload();
      await expect(booked.locator('td.num').nth(1)).toHaveText('€253.60', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(booked.locator('td.num')).toHaveText(['€278.96', '€253.60', '€25.36', '€0.00', '€0.00']);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('statement-csv').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^olivine-billing-harbour-hotels-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await fs.readFile(await download.path(), 'utf8');
    const row = csv.split('\r\n').find((line) => line.includes(title));
    expect(row).toMatch(/,Fay Freelancer,Completed,EUR,278\.96,253\.60,25\.36,0\.00,0\.00$/);

    await freelancer.goto('/hire/work/shifts');
    await waitForHydration(freelancer);
    const done = freelancer.locator('article', { hasText: title });
    await expect(done).toHaveAttribute('data-status', 'completed');
    await expect(done.getByTestId('ratings')).toContainText('You received ★★★★★');
    await done.getByLabel('Your rating').selectOption('4');
    await done.getByRole('button', { name: 'Send rating' }).click();
    await expect(done.getByTestId('ratings')).toContainText('You gave ★★★★☆');

    // Fay sets up payouts on Stripe's onboarding form (the emulator's page) unless an earlier
    // run against this database did; her pay for the shift then goes out to her account.
    await freelancer.goto('/hire/profile');
    await waitForHydration(freelancer);
    const payouts = freelancer.locator('#payouts');
    const payoutStatus = payouts.getByTestId('payouts-status');
    await expect(payoutStatus).toBeVisible();
    if ((await payoutStatus.getAttribute('data-ready')) !== 'true') {
      await payouts.getByRole('button', { name: /Set up payouts|Finish onboarding/ }).click();
      await expect(freelancer.getByRole('heading', { name: 'Set up payouts' })).toBeVisible();
      await freelancer.getByRole('button', { name: 'Agree and submit' }).click();
      await expect(freelancer).toHaveURL(/\/hire\/profile\?payouts=back/);
    }
    await expect(payoutStatus).toContainText('Payouts are set up');
    await freelancer.goto('/hire/work/earnings');
    const earned = freelancer.getByTestId('earnings-contract').filter({ hasText: title });
    await expect(async () => {
      await freelancer.reload();
      await expect(earned.getByTestId('payout')).toHaveAttribute('data-status', 'paid', { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(earned.getByTestId('payout')).toContainText('€253.60');
    await expect(earned.getByTestId('payout')).toContainText('Paid out');
    await expect(earned.getByTestId('payout')).toContainText('Released to the freelancer');
  } finally {
    await freelancer.close();
  }
});

test('hours disputed by the manager are escalated by the freelancer and split by a finance admin', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const title = `Cloakroom, gala ${Date.now()}`;

  // A booked shift, funded from Harbour's card.
  await signedIn(page, 'hana@olivine.test', DEMO_PASSWORD);
  await ensureHireCard(page, 'harbour-hotels');
  await page.goto('/hire/org/harbour-hotels/shifts/new');
  await waitForHydration(page);
  const managerShift = await saveShiftDraft(page, {
    title,
    city: 'nl-utrecht',
    date: hireDate(1),
    start: '18:00',
    end: '23:00',
    wage: '20.00',
  });
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('shift-status')).toHaveText('Open');
  const shiftId = managerShift.split('/').pop();

  const freelancer = await browser.newPage();
  const admin = await browser.newPage();
  try {
    await signedIn(freelancer, 'fay@olivine.test', DEMO_PASSWORD);
    await freelancer.goto(`/hire/shifts/${shiftId}`);
    await applyWithNote(freelancer, 'I ran the cloakroom at the opera.');
    await page.goto(managerShift);
    await waitForHydration(page);
    const applicant = page.getByTestId('applicants').locator(':scope > li', { hasText: 'Fay Freelancer' });
    await applicant.getByRole('button', { name: 'Offer a place' }).click();
    await expect(applicant).toHaveAttribute('data-status', 'offered');
    await freelancer.goto('/hire/work/applications');
    await waitForHydration(freelancer);
    const offer = freelancer.getByTestId('applications').locator('li', { hasText: title });
    await offer.getByRole('button', { name: 'Accept offer' }).click();
    await expect(offer).toHaveAttribute('data-status', 'hired');

    // Two days on, Fay claims the five hours; the manager disputes them.
    await setHireClock(freelancer.request, 48);
    await freelancer.goto('/hire/work/shifts');
    await waitForHydration(freelancer);
    const booking = freelancer.locator('article', { hasText: title });
    await booking.getByRole('button', { name: 'Submit hours' }).click();
    await expect(booking.getByTestId('timesheet')).toContainText('5 h = €100.00');
    await page.goto(managerShift);
    await waitForHydration(page);
    const contract = page.locator('article.contract', { hasText: 'Fay Freelancer' });
    await contract.getByPlaceholder('Why these hours are wrong').fill('The cloakroom closed at ten');
    await contract.getByRole('button', { name: 'Dispute' }).click();
    await expect(contract.getByTestId('dispute')).toHaveAttribute('data-status', 'open');
    await expect(contract.getByTestId('dispute')).toContainText('either may ask Olivine to decide from');

    // Three days later they haven't agreed: Fay asks Olivine to decide.
    await setHireClock(freelancer.request, 48 + 73);
    await freelancer.goto('/hire/work/shifts');
    await waitForHydration(freelancer);
    const disputed = booking.getByTestId('dispute');
    await expect(disputed).toContainText('“The cloakroom closed at ten”');
    await disputed.getByPlaceholder('What Olivine should know').fill('Guests collected coats until eleven');
    await disputed.getByRole('button', { name: 'Ask Olivine to decide' }).click();
    await expect(disputed).toHaveAttribute('data-status', 'escalated');

    // A finance admin reads the evidence and splits it: €80 to Fay, the rest back to Harbour.
    await signedIn(admin, 'admin@olivine.test', DEMO_PASSWORD);
    await admin.goto('/admin/disputes?status=escalated');
    await admin.getByTestId('disputes').getByRole('link', { name: title }).click();
    await expect(admin.getByRole('heading', { level: 1 })).toContainText(title);
    await expect(admin.getByText('Fay Freelancer asked Olivine to decide.')).toBeVisible();
    await expect(admin.getByTestId('timesheet')).toContainText('5 h = €100.00');
    await waitForHydration(admin);
    await admin.getByRole('button', { name: 'Decide the dispute' }).click();
    await expect(admin.getByText('Enter a price like 12.95.')).toBeVisible();
    await admin.getByLabel('Paid to the freelancer in a split (EUR)').fill('80');
    await admin.getByLabel('Why (both sides read it)').fill('The last coats went out at eleven, the cloakroom shut at ten.');
    await admin.getByRole('button', { name: 'Decide the dispute' }).click();
    await expect(admin.getByTestId('dispute-decision')).toContainText(
      "Olivine released €80.00 to the freelancer; the organisation doesn't pay the other €20.00.",
    );
    await expect(admin.getByRole('button', { name: 'Decide the dispute' })).toHaveCount(0);

    // Both sides see the decision; the booking is completed.
    await freelancer.goto('/hire/work/shifts');
    await expect(booking).toHaveAttribute('data-status', 'completed');
    await expect(booking.getByTestId('dispute-decision')).toContainText('€80.00');
    await expect(booking.getByTestId('timesheet')).toContainText('Decided by Olivine');
    await page.goto(managerShift);
    await expect(contract.getByTestId('dispute-decision')).toContainText("doesn't pay the other €20.00");

    // Finance reconciles the ledger with Stripe: every payment, refund and payout of the run
    // so far agrees.
    await admin.goto('/admin');
    await admin.getByRole('link', { name: 'Reconciliation' }).click();
    await expect(admin.getByRole('heading', { name: 'Reconciliation', level: 1 })).toBeVisible();
    await waitForHydration(admin);
    await admin.getByRole('button', { name: 'Reconcile now' }).click();
    const latest = admin.getByTestId('reconciliation');
    await expect(latest).toContainText('by Ada Admin');
    await expect(latest).toHaveAttribute('data-clean', 'true');
    await expect(latest).toContainText('The ledger and Stripe agree.');
    await expect(latest).toContainText(/[1-9]\d* payments into escrow/);
  } finally {
    await admin.close();
    await freelancer.close();
  }
});

test('a manager posts a fixed-price job, a freelancer applies at their own price, hands over the work, and the manager approves it', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const title = `Window display ${Date.now()}`;
  const day = hireDate(1);

  await signedIn(page, 'hana@olivine.test', DEMO_PASSWORD);
  // Bookings are charged to Harbour's card when the freelancer accepts.
  await ensureHireCard(page, 'harbour-hotels');
  await page.goto('/hire/org/harbour-hotels');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Post a job' }).click();
  await expect(page.getByRole('heading', { name: 'Post a job' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Scope').fill('Dress the two street windows for the winter season.');
  await page.getByLabel('City').selectOption('nl-utrecht');
  await page.getByLabel('First day').fill(day);
  await page.getByLabel('Last day').fill(day);
  await page.getByLabel('A fixed price for the delivered work').check();
  // A price past the bounds is refused in place; nothing typed is lost.
  await page.getByLabel('Rate per hour or price (€)').fill('5');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText('Enter a price from €10.00 to €100,000.00.')).toBeVisible();
  await expect(page.getByLabel('Title')).toHaveValue(title);
  await page.getByLabel('Rate per hour or price (€)').fill('650');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/hire\/org\/harbour-hotels\/shifts\/[0-9a-f-]+$/);
  const managerJob = page.url();
  await expect(page.getByText('€650.00 fixed price')).toBeVisible();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('shift-status')).toHaveText('Open');
  const jobPage = await page.getByRole('link', { name: 'its page' }).getAttribute('href');
  expect(jobPage).toMatch(/^\/hire\/jobs\/[0-9a-f-]+$/);

  const freelancer = await browser.newPage();
  try {
    // Fay applies at her own price.
    await signedIn(freelancer, 'fay@olivine.test', DEMO_PASSWORD);
    await freelancer.goto(jobPage!);
    await expect(freelancer.getByRole('heading', { name: title })).toBeVisible();
    await waitForHydration(freelancer);
    await freelancer.getByLabel('A note for the manager').fill('I dressed the windows at the station shop.');
    await freelancer.getByLabel('Your price (€)').fill('700');
    await freelancer.getByRole('button', { name: 'Apply for this job' }).click();
    await expect(freelancer.getByTestId('my-application')).toHaveText('You applied: applied.');

    // Hana sees the asking price and offers the place on it; Fay accepts.
    await page.goto(managerJob);
    await waitForHydration(page);
    const applicant = page.getByTestId('applicants').locator(':scope > li', { hasText: 'Fay Freelancer' });
    await expect(applicant.getByTestId('proposed')).toHaveText('Asks €700.00 fixed price');
    await applicant.getByRole('button', { name: 'Offer a place' }).click();
    await expect(applicant).toHaveAttribute('data-status', 'offered');
    await freelancer.goto('/hire/work/applications');
    await waitForHydration(freelancer);
    await freelancer.getByTestId('applications').locator('li', { hasText: title }).getByRole('button', { name: 'Accept offer' }).click();
    await expect(freelancer.getByText("You're booked.")).toBeVisible();

    // Once the job has begun, Fay hands over the work.
    await setHireClock(freelancer.request, 48);
    await freelancer.goto('/hire/work/shifts');
    await waitForHydration(freelancer);
    const job = freelancer.locator('article', { hasText: title });
    await job.getByLabel('What you delivered').fill('Both windows dressed; photos in our messages.');
    await job.getByRole('button', { name: 'Hand over for approval' }).click();
    await expect(job.getByTestId('delivery')).toContainText('Waiting for approval');
    await expect(job.getByTestId('delivery')).toContainText('€700.00');

    // Hana reviews it from the organisation's page and approves: €700 is owed.
    await page.goto('/hire/org/harbour-hotels');
    await waitForHydration(page);
    await page.getByTestId('hours-waiting').locator('li', { hasText: title }).getByRole('link', { name: 'Review the work' }).click();
    await expect(page).toHaveURL(managerJob);
    await waitForHydration(page);
    const contract = page.locator('article.contract', { hasText: 'Fay Freelancer' });
    await contract.getByRole('button', { name: 'Approve the work' }).click();
    await expect(contract).toHaveAttribute('data-status', 'completed');
    await expect(contract).toContainText('Work approved: €700.00 owed');
  } finally {
    await freelancer.close();
  }
});

test('a visitor sees the open work before signing up and signs in at Apply', async ({ page }) => {
  await page.goto('/hire/work');
  await waitForHydration(page);
  await expect(page.getByTestId('visitor-invitation')).toBeVisible();
  // No radius without a home to measure from.
  await expect(page.getByLabel('Within (km)')).toHaveCount(0);
  const first = page.getByTestId('work-results').locator(':scope > li').first();
  const title = (await first.locator('.shift-row__title').innerText()).trim();
  await first.locator('.shift-row__title').click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page.getByTestId('sign-in-to-apply')).toBeVisible();

  // Signing in brings Finn, a freelancer, back to the same page, where he can apply.
  const here = page.url();
  await page.getByRole('link', { name: 'Sign in to apply' }).click();
  await expect(page).toHaveURL(/\/signin\?next=/);
  await waitForHydration(page);
  await page.getByLabel('Email').fill('finn@olivine.test');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(here);
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page.getByTestId('sign-in-to-apply')).toHaveCount(0);
});

test('a freelancer without signal reads their booking, sends hours and messages that arrive once, and sees what was refused', async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  const stamp = Date.now();
  const title = `Stagehand, harbour stage ${stamp}`;
  const spare = `Runner, harbour stage ${stamp}`;

  // Hana posts two shifts; Fay applies to both and is booked on the first.
  await signedIn(page, 'hana@olivine.test', DEMO_PASSWORD);
  // Bookings are charged to Harbour's card when the freelancer accepts.
  await ensureHireCard(page, 'harbour-hotels');
  const post = async (shiftTitle: string, wage: string, date: string) => {
    await page.goto('/hire/org/harbour-hotels/shifts/new');
    await waitForHydration(page);
    const url = await saveShiftDraft(page, {
      title: shiftTitle, city: 'nl-utrecht', date, start: '09:00', end: '17:30', breakMinutes: '30', people: '1', wage,
    });
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect(page.getByTestId('shift-status')).toHaveText('Open');
    return url;
  };
  const bookedShift = await post(title, '24.10', hireDate(1));
  // Days later, so the clock's jump past the first shift doesn't reach it: an application
  // still open when its shift starts expires (the sweep runs every minute), and Hana could
  // no longer turn it down.
  const spareShift = await post(spare, '24.20', hireDate(5));
  const publicPage = (managerUrl: string) => `/hire/shifts/${managerUrl.split('/').pop()}`;

  const freelancer = await browser.newPage();
  const device = freelancer.context();
  try {
    await signedIn(freelancer, 'fay@olivine.test', DEMO_PASSWORD);
    for (const shift of [bookedShift, spareShift]) {
      await freelancer.goto(publicPage(shift));
      await applyWithNote(freelancer, 'I know the harbour stage.');
    }
    await page.goto(bookedShift);
    await waitForHydration(page);
    await page.getByTestId('applicants').locator(':scope > li', { hasText: 'Fay Freelancer' })
      .getByRole('button', { name: 'Offer a place' }).click();
    await expect(page.getByTestId('shift-status')).toHaveText('Filled');
    await freelancer.goto('/hire/work/applications');
    await waitForHydration(freelancer);
    const offer = freelancer.getByTestId('applications').locator('li', { hasText: title });
    await offer.getByRole('button', { name: 'Accept offer' }).click();
    await expect(offer).toHaveAttribute('data-status', 'hired');
    const bookedThread = await offer.getByRole('link', { name: 'Message' }).getAttribute('href');
    const spareThread = await freelancer.getByTestId('applications').locator('li', { hasText: spare })
      .getByRole('link', { name: 'Message' }).getAttribute('href');
    expect(bookedThread).toMatch(/^\/hire\/messages\//);
    expect(spareThread).toMatch(/^\/hire\/messages\//);

    // The shift is under way. With the app's service worker answering, her shifts page asks
    // for her bookings' pages to be kept on the device; she also opens the other thread.
    await setHireClock(freelancer.request, 48);
    await freelancer.goto('/hire/work/shifts');
    await freelancer.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await freelancer.goto('/hire/work/shifts');
    await waitForHydration(freelancer);
    await freelancer.goto(spareThread!);
    await waitForHydration(freelancer);
    const kept = [publicPage(bookedShift), bookedThread!, '/hire/work/shifts', spareThread!];
    await expect
      .poll(() =>
        freelancer.evaluate(async (paths) => {
          const cache = await caches.open('olivine-pages-v1');
          return (await Promise.all(paths.map((path) => cache.match(path)))).every(Boolean);
        }, kept),
      )
      .toBe(true);

    // No signal: her shifts and the shift's details still read, and the page says so.
    await device.setOffline(true);
    await freelancer.goto('/hire/work/shifts');
    await waitForHydration(freelancer);
    await expect(freelancer.getByTestId('offline')).toContainText("You're offline.");
    const booked = freelancer.locator('article', { hasText: title });
    await expect(booked).toBeVisible();
    await freelancer.goto(publicPage(bookedShift));
    await expect(freelancer.getByRole('heading', { name: title })).toBeVisible();
    await expect(freelancer.getByText('€24.10').first()).toBeVisible();

    // Her hours and two messages wait on the device.
    await freelancer.goto('/hire/work/shifts');
    await waitForHydration(freelancer);
    await booked.getByRole('button', { name: 'Submit hours' }).click();
    await expect(booked.getByTestId('kept')).toBeVisible();
    const waiting = freelancer.getByTestId('outbox-waiting');
    await expect(waiting).toContainText(`Hours for ${title}`);
    await freelancer.goto(bookedThread!);
    await waitForHydration(freelancer);
    await freelancer.getByLabel('Your message').fill('On my way, five minutes out.');
    await freelancer.getByRole('button', { name: 'Send' }).click();
    await expect(waiting).toContainText('Message to Harbour Hotels: “On my way, five minutes out.”');
    await freelancer.goto(spareThread!);
    await waitForHydration(freelancer);
    await freelancer.getByLabel('Your message').fill('Is there parking at the stage?');
    await freelancer.getByRole('button', { name: 'Send' }).click();
    await expect(waiting.locator('li')).toHaveCount(3);

    // Meanwhile Hana turns the other application down: that conversation closes.
    await page.goto(spareShift);
    await waitForHydration(page);
    const other = page.getByTestId('applicants').locator(':scope > li', { hasText: 'Fay Freelancer' });
    await other.getByPlaceholder('Reason').fill('Filled from the waiting list.');
    await other.getByRole('button', { name: 'Turn down' }).click();
    await expect(other).toHaveAttribute('data-status', 'rejected');

    // Signal again: what waited goes out; the refused message stays, with the reason.
    await device.setOffline(false);
    await expect(waiting).toHaveCount(0);
    const refused = freelancer.getByTestId('outbox-refused');
    await expect(refused).toContainText('Message to Harbour Hotels: “Is there parking at the stage?”');
    await expect(refused).toContainText('This conversation is closed: the application ended without a booking.');
    await expect(freelancer.getByTestId('offline')).toHaveCount(0);

    // Each arrived exactly once: one timesheet, one message on Hana's side.
    await freelancer.goto('/hire/work/shifts');
    await expect(booked.getByTestId('timesheet')).toContainText('Waiting for approval');
    await expect(booked.getByTestId('timesheet')).toHaveCount(1);
    await page.goto(`/hire/org/harbour-hotels/messages/${bookedThread!.split('/').pop()}`);
    await expect(page.getByTestId('messages').getByText('On my way, five minutes out.')).toHaveCount(1);

    // Seen: she dismisses the refusal.
    await waitForHydration(freelancer);
    await refused.getByRole('button', { name: 'Dismiss' }).click();
    await expect(refused).toHaveCount(0);
  } finally {
    await freelancer.close();
  }
});
