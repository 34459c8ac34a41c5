import { test as base, expect } from '@playwright/test';

/**
 * Every browser test runs with this fixture: any Content-Security-Policy violation on any page
 * the test visits fails it. Pages report violations as `securitypolicyviolation` events (caught
 * from the first script on) and as console errors (which also cover blocked inline scripts).
 */
export const test = base.extend<{ cspViolations: string[] }>({
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
});

export { expect };
