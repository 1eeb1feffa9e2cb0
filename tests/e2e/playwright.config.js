// @ts-check
import { defineConfig } from '@playwright/test';

// Each test starts its own `hearth serve` on a free port with a temporary
// data folder (see fixtures.js). The browser is Debian's Chromium: browser
// downloads are not possible here, and not wanted.
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.js',
  timeout: 30_000,
  // Two browsers and two debug servers share two cores: a wait for what
  // the page will show gets 10 s (still failing at once on a wrong state
  // that stays wrong).
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-default-apps',
        '--disable-domain-reliability',
      ],
    },
    trace: 'retain-on-failure',
  },
});
