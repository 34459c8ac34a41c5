import { expect } from '@playwright/test';
import { test } from './fixtures';
import { DEMO_PASSWORD, hireDate, signedIn, waitForHydration } from './helpers';


test('a freelancer uploads a certificate, a support admin verifies it, and managers see the badge', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const validUntil = hireDate(365);

  // Fay uploads her first-aid certificate; a file that isn't a document is refused first.
  await signedIn(page, 'fay@olivine.test', DEMO_PASSWORD);
  await page.goto('/hire/profile');
  await waitForHydration(page);
  const section = page.locator('#certificates');
  await section.getByLabel('Certificate').selectOption({ label: 'First aid (EHBO)' });
  await section.getByLabel('Valid until').fill(validUntil);
  await section.getByLabel('Document').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('just some notes'),
  });
  await section.getByRole('button', { name: 'Upload for review' }).click();
  await expect(section.getByTestId('certificate-error')).toContainText('not a PDF, JPEG or PNG');
  await section.getByLabel('Document').setInputFiles({
    name: 'ehbo.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% Fay first aid certificate\n'),
  });
  await section.getByRole('button', { name: 'Upload for review' }).click();
  const mine = section.getByTestId('my-certificates').locator('li', { hasText: 'First aid (EHBO)' }).first();
  await expect(mine).toHaveAttribute('data-status', 'pending');
  await expect(mine).toContainText('Waiting for review');
  await expect(section.getByTestId('certificate-error')).toHaveCount(0);

  // A support admin finds it in the queue, opens the document and verifies it.
  const admin = await browser.newPage();
  let href = '';
  try {
    await signedIn(admin, 'admin@olivine.test', DEMO_PASSWORD);
    await admin.goto('/admin');
    await admin.getByRole('link', { name: 'Certificate verification' }).click();
    await expect(admin.getByRole('heading', { name: 'Certificate verification' })).toBeVisible();
    await waitForHydration(admin);
    const item = admin.getByTestId('verification-queue').locator('li', { hasText: 'First aid (EHBO) — Fay Freelancer' });
    await expect(item).toHaveCount(1);
    href = (await item.getByRole('link', { name: 'Open ehbo.pdf' }).getAttribute('href')) ?? '';
    const document = await admin.request.get(href);
    expect(document.status()).toBe(200);
    expect(document.headers()['content-type']).toBe('application/pdf');
    await expect(item.getByLabel('Valid until')).toHaveValue(validUntil);
    await item.getByRole('button', { name: 'Verify' }).click();
    await expect(admin.getByText('Saved. The freelancer sees the result on their profile.')).toBeVisible();
    await expect(item).toHaveCount(0);

  } finally {
    await admin.close();
  }

  // Fay sees it verified; her profile, as managers read it, carries the badge.
  await page.reload();
  await waitForHydration(page);
  const verified = page.locator('#certificates').getByTestId('my-certificates').locator('li', { hasText: 'First aid (EHBO)' }).first();
  await expect(verified).toHaveAttribute('data-status', 'verified');
  await expect(verified).toContainText('Verified · valid until');
  await page.getByRole('link', { name: 'See your profile as managers do' }).click();
  await expect(page.getByTestId('certificates')).toContainText('✓ First aid (EHBO)');

  // A manager posts a shift that requires first aid: Fay may apply, Finn (without it) may not,
  // and Finn cannot open Fay's document either.
  const manager = await browser.newPage();
  const finn = await browser.newPage();
  try {
    await signedIn(manager, 'hana@olivine.test', DEMO_PASSWORD);
    await manager.goto('/hire/org/harbour-hotels/shifts/new');
    await waitForHydration(manager);
    await manager.getByLabel('Title').fill(`First-aid steward ${Date.now()}`);
    await manager.getByLabel('City').selectOption('nl-utrecht');
    await manager.getByLabel('Date').fill(hireDate(3));
    await manager.getByLabel('Start').fill('10:00');
    await manager.getByLabel('End', { exact: true }).fill('16:00');
    await manager.getByLabel('Hourly wage (€)').fill('18.00');
    await manager.getByRole('checkbox', { name: 'First aid (EHBO)' }).check();
    await manager.getByRole('button', { name: 'Save draft' }).click();
    await expect(manager).toHaveURL(/\/hire\/org\/harbour-hotels\/shifts\/[0-9a-f-]+$/);
    await expect(manager.getByTestId('required-certificates')).toContainText('First aid (EHBO)');
    await waitForHydration(manager);
    await manager.getByRole('button', { name: 'Publish' }).click();
    await expect(manager.getByTestId('shift-status')).toHaveText('Open');
    const shiftPath = '/hire/shifts/' + manager.url().split('/').pop();

    await page.goto(shiftPath);
    await expect(page.getByTestId('required-certificates')).toContainText('First aid (EHBO)');
    await expect(page.getByRole('button', { name: 'Apply for this shift' })).toBeVisible();

    await signedIn(finn, 'finn@olivine.test', DEMO_PASSWORD);
    await finn.goto(shiftPath);
    await expect(finn.getByTestId('missing-certificates')).toHaveText(
      'To apply you need, verified and valid on the day: First aid (EHBO).',
    );
    await expect(finn.getByRole('button', { name: 'Apply for this shift' })).toHaveCount(0);
    expect((await finn.request.get(href)).status()).toBe(404);
  } finally {
    await manager.close();
    await finn.close();
  }
});
