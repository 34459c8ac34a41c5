import { test as base, expect, type TestInfo } from '@playwright/test';
import { createHash } from 'node:crypto';

/**
 * The address this test's visitor comes from. The server under test trusts X-Forwarded-For
 * (`cargo xtask test` starts it with OLIVINE_TRUST_PROXY=true), so each test, and each
 * repetition of it, is a visitor of its own: per-address limits (sign-ups, sign-ins, checkouts)
 * count one test's requests as they would count one person's, and `--repeat-each=3` never
 * finds an address that earlier runs used up.
 */
function visitorAddress(testInfo: TestInfo): string {
  const digest = createHash('sha256')
    .update(`${testInfo.testId}/${testInfo.repeatEachIndex}/${testInfo.retry}`)
    .digest();
  return `10.${digest[0]}.${digest[1]}.${1 + (digest[2] % 254)}`;
}

/**
 * Every browser test runs with this fixture: any Content-Security-Policy violation on any page
 * the test visits fails it. Pages report violations as `securitypolicyviolation` events (caught
 * from the first script on) and as console errors (which also cover blocked inline scripts).
 */
export const test = base.extend<{ cspViolations: string[]; wasmPanics: string[] }>({
  // Every page, new page (`browser.newPage()`) and API request of the test carries it.
  extraHTTPHeaders: async ({ extraHTTPHeaders }, use, testInfo) => {
    await use({ ...extraHTTPHeaders, 'X-Forwarded-For': visitorAddress(testInfo) });
  },
  cspViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      await context.exposeBinding('__olivineCspViolation', ({ page }, report: string) => {
        violations.push(`${page.url()}: ${report}`);
      });
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => {
          const report = `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`;
          (window as unknown as { __olivineCspViolation: (r: string) => void }).__olivineCspViolation(report);
        });
      });
      context.on('console', (message) => {
        if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
          violations.push(`${message.location().url}: ${message.text()}`);
        }
      });
      await use(violations);
      expect(violations, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
  /**
   * And any panic in the WebAssembly (a hydration mismatch among them) fails it: the page would
   * still show its server-rendered HTML, but stop answering clicks.
   */
  wasmPanics: [
    async ({ context }, use) => {
      const panics: string[] = [];
      context.on('console', (message) => {
        if (message.type() === 'error' && message.text().startsWith('panicked at')) {
          panics.push(`${message.location().url}: ${message.text().split('\n')[0]}`);
        }
      });
      await use(panics);
      expect(panics, 'panics in the WebAssembly').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
