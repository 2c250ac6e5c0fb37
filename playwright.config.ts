import { defineConfig } from '@playwright/test';

// FTPLAB_E2E_PORT and FTPLAB_E2E_OUT let two people (or agents) on one machine run specs at the
// same time without serving each other's half-written build.
const port = Number(process.env.FTPLAB_E2E_PORT ?? 4173);
const outDir = process.env.FTPLAB_E2E_OUT ?? 'dist';
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'test/e2e',
  // Not the default `test-results/`: Playwright empties its output folder at start, and the other
  // runners' reports and the screenshots live there too.
  // A run with its own build folder gets its own artifacts folder too, as Playwright empties it.
  outputDir: process.env.FTPLAB_E2E_OUT
    ? `${process.env.FTPLAB_E2E_OUT}-artifacts`
    : 'test-results/playwright-artifacts',
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
      `node_modules/.bin/tsx src/cli/lessons.ts --quiet && node_modules/.bin/vite build --outDir ${outDir} --emptyOutDir --manifest && ` +
      `node_modules/.bin/vite preview --outDir ${outDir} --host 127.0.0.1 --port ${port} --strictPort`,
    url: baseURL,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
