import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, hireDate, saveShiftDraft, signedIn, waitForHydration } from './helpers';

test('a manager sees explained recommended candidates for a shift and invites one; a freelancer sees recommended work', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const title = `Hotel café barista ${Date.now()}`;

  // Hana publishes a day shift in Utrecht.
  await signedIn(page, 'hana@olivine.test', DEMO_PASSWORD);
  await page.goto('/hire/org/harbour-hotels/shifts/new');
  await waitForHydration(page);
  const shiftPage = await saveShiftDraft(page, {
    title,
    description: 'Espresso, latte art and a friendly word for hotel guests at breakfast.',
    city: 'nl-utrecht',
    date: hireDate(5),
    start: '10:00',
    end: '16:00',
    wage: '24.00',
  });
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('shift-status')).toHaveText('Open');

  // The embedding job reads the description within seconds; until then the page says that how
  // profiles fit it does not count yet.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('recommended').locator(':scope > li').first()).toBeVisible();
    expect(await page.getByTestId('description-unread').count()).toBe(0);
  }).toPass({ timeout: 30_000 });
  await waitForHydration(page);

  // The recommended candidates, each with its score and why.
  const recommended = page.getByTestId('recommended');
  // One row per candidate (their explanations hold lists of their own).
  const candidates = recommended.locator(':scope > li');
  await expect(candidates.first()).toBeVisible();
  const rows = await candidates.count();
  expect(rows).toBeGreaterThan(1);
  expect(rows).toBeLessThanOrEqual(10);
  const summaries = await recommended.getByTestId('fit-summary').allTextContents();
  const scores = summaries.map((s) => {
    expect(s).toMatch(/^\d+ — .*\d+ km, (\d\.\d★|no ratings yet), (\d+% attendance|no bookings yet)$/);
    return Number(s.split(' ')[0]);
  });
  // Best first.
  expect([...scores].sort((a, b) => b - a)).toEqual(scores);

  // The first candidate's explanation: six factors whose points add up to the score, and
  // every hard filter passed.
  const first = candidates.first();
  const name = (await first.getByRole('link').first().textContent())!.trim();
  await first.getByText('Why this score').click();
  const factors = first.getByTestId('fit-factor');
  await expect(factors).toHaveCount(6);
  let points = 0;
  for (const row of await factors.all()) {
    points += Number(await row.locator('td').last().textContent());
  }
  const total = Number(await first.getByTestId('fit-total').textContent());
  expect(Math.abs(points - total)).toBeLessThan(0.35);
  expect(Math.round(total)).toBe(scores[0]);
  await expect(first.getByText(/km away: within their \d+ km and your 50 km/)).toBeVisible();
  await expect(first.getByText(/Asks at least €\d+\.\d\d\/h; the pay is €24\.00\/h$/)).toBeVisible();
  await expect(first.getByText('Available at that time in their usual week')).toBeVisible();
  await expect(first.getByText('Not booked elsewhere at that time')).toBeVisible();
  await expect(first.locator('.check--failed')).toHaveCount(0);

  // A narrower radius keeps only candidates within it.
  await page.getByLabel('Within').selectOption('10');
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page).toHaveURL(/within=10/);
  await expect(page.getByLabel('Within')).toHaveValue('10');
  // The list is replaced once the narrower search answers.
  await expect(async () => {
    const near = await page.getByTestId('recommended').getByTestId('fit-summary').allTextContents();
    expect(near.length).toBeGreaterThan(0);
    for (const s of near) {
      const km = Number(/(\d+) km/.exec(s)![1]);
      expect(km).toBeLessThanOrEqual(10);
    }
  }).toPass({ timeout: 15_000 });

  // Hana invites the best candidate; they move to the applicants as invited.
  await page.goto(shiftPage);
  await waitForHydration(page);
  const candidate = page.getByTestId('recommended').locator(':scope > li', { hasText: name });
  await candidate.getByLabel(`Message to ${name}`).fill('Your profile fits our café.');
  await candidate.getByRole('button', { name: 'Invite' }).click();
  const invited = page.getByTestId('applicants').locator(':scope > li', { hasText: name });
  await expect(invited).toHaveAttribute('data-status', 'invited');
  await expect(invited.getByTestId('fit-summary')).toHaveText(/^\d+ — /);
  await expect(page.getByTestId('recommended').locator(':scope > li', { hasText: name })).toHaveCount(0);

  // Fay (Utrecht, barista, free all day) finds recommended work, explained.
  const fay = await browser.newPage();
  try {
    await signedIn(fay, 'fay@olivine.test', DEMO_PASSWORD);
    await fay.goto('/hire/work');
    const openings = fay.getByTestId('openings');
    await expect(openings.locator(':scope > li').first()).toBeVisible();
    await expect(openings.getByTestId('fit-summary').first()).toHaveText(/^\d+ — /);
  } finally {
    await fay.close();
  }
});
