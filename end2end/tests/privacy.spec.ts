import { execFileSync } from 'node:child_process';
import { expect } from '@playwright/test';
import { test } from './fixtures';
import { mailedLink, signedUp, waitForHydration } from './helpers';

/** One file of a downloaded ZIP, through Debian's unzip (setup installs it). */
function unzipped(zip: string, name: string): string {
  return execFileSync('unzip', ['-p', zip, name]).toString('utf8');
}

test('a person asks for their data, gets the link by email and downloads the ZIP once', async ({ page }) => {
  test.setTimeout(60_000);
  const email = await signedUp(page, 'Dora Download');

  await page.goto('/account/privacy');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Ask for a download' }).click();
  await expect(page.getByTestId('export-building')).toBeVisible();
  await expect(page.getByTestId('data-exports')).toContainText('Being prepared');

  // A background job builds it and mails the link.
  const link = await mailedLink(page, email, '/account/privacy/download', 30_000);
  await page.goto('/account/privacy');
  await waitForHydration(page);
  await expect(page.getByTestId('data-exports')).toContainText('Emailed');
  await expect(page.getByRole('button', { name: 'Ask for a download' })).toBeVisible();

  // Following the link downloads the file (a link of its own, as the mail's: the app's router
  // would take a plain link on this page as a page of its own).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.evaluate((href) => {
      const a = document.createElement('a');
      a.href = href;
      a.rel = 'external';
      document.body.append(a);
      a.click();
    }, link),
  ]);
  expect(download.suggestedFilename()).toMatch(/^olivine-data-\d{4}-\d{2}-\d{2}\.zip$/);
  const zip = await download.path();
  const account = JSON.parse(unzipped(zip, 'account.json'));
  expect(account.users).toHaveLength(1);
  expect(account.users[0].email).toBe(email);
  expect(account.users[0].display_name).toBe('Dora Download');
  expect(account.users[0].password_hash).toBeUndefined();
  const audit = JSON.parse(unzipped(zip, 'audit.json'));
  expect(audit.audit_log.map((row: { action: string }) => row.action)).toContain('data_export_requested');
  expect(unzipped(zip, 'README.txt')).toContain('Your data at Olivine');

  // The link works once.
  await page.goto(link);
  await expect(page).toHaveURL(/\/account\/privacy\?link=spent$/);
  await expect(page.getByText('That download link has expired or was already used')).toBeVisible();
  await expect(page.getByTestId('data-exports')).toContainText('Downloaded');
});
