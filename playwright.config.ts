import { defineConfig } from '@playwright/test';

const baseURL = 'http://127.0.0.1:4173';

export default defineConfig({
  testDir: 'test/e2e',
  // Not the default `test-results/`: Playwright empties its output folder at start, and the other
  // runners' reports and the screenshots live there too.
  outputDir: 'test-results/playwright-artifacts',
  forbidOnly: !!process.env.CI,
  // axe over the whole page (ladder, statechart and tables are large SVGs and tables) takes
  // several seconds on 2 cores: give every test room rather than flake.
  timeout: 90_000,
  workers: process.env.CI ? 1 : 2,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright cannot download its own browser build here.
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command:
      'npm run build && node_modules/.bin/vite preview --host 127.0.0.1 --port 4173 --strictPort',
    url: baseURL,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
