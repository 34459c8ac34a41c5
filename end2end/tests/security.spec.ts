import { expect } from '@playwright/test';
import { test } from './fixtures';
import { waitForHydration } from './helpers';

test('an inline script without the page nonce is refused, and the violation is reported', async ({
  page,
  cspViolations,
}) => {
  await page.goto('/');
  await waitForHydration(page);
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true;';
    document.body.appendChild(script);
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => cspViolations.length).toBeGreaterThan(0);
  expect(cspViolations.join('\n')).toContain('script-src');
  // Expected here; every other test fails on one.
  cspViolations.length = 0;
});

test('a returning visitor hydrates on every reload', async ({ page }) => {
  await page.goto('/products/vitamin-d3-1000-iu');
  await waitForHydration(page);
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await waitForHydration(page);
  }
});
