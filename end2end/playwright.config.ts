import { defineConfig } from '@playwright/test';

// `cargo xtask test` starts the server against a fresh seeded database and sets BASE_URL;
// run by hand, the tests expect `cargo xtask dev` on port 3000.
const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const chromiumFlags = (process.env.CHROMIUM_FLAGS ??
  '--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync')
  .split(' ')
  .filter(Boolean);

/** Specs that move the server's clock. */
const CLOCK_SPECS = /hire\.spec\.ts$/;
/** The spec that moves the clock past an erasure's 14 days of grace: last, alone. */
const ERASURE_SPEC = /erasure\.spec\.ts$/;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['json']],
  globalSetup: './global-setup.ts',
  // The specs that move the server's clock (shift ends, auto-approval) run alone, after all
  // the others, so no other spec ever sees a moved clock.
  projects: [
    { name: 'shared clock', testIgnore: [CLOCK_SPECS, ERASURE_SPEC] },
    { name: 'moved clock', testMatch: CLOCK_SPECS, dependencies: ['shared clock'], fullyParallel: false },
    // Two weeks on, every job catches up (renewals, expiries): nothing runs after it.
    { name: 'weeks later', testMatch: ERASURE_SPEC, dependencies: ['moved clock'], fullyParallel: false },
  ],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    // A click or a page that never comes fails there, not at the test's timeout wherever
    // the test happens to be by then.
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download is not reachable here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: chromiumFlags,
    },
  },
});
