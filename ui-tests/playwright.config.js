/**
 * Galata in Debian's Chromium: nothing is downloaded (no browser, no ffmpeg, so no video).
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = process.env.MATIH_UI_TEST_PORT || '8765';
const baseURL = `http://localhost:${port}`;

module.exports = {
  ...baseConfig,
  timeout: 90000,
  // The 10,000-run timing spec needs the benchmark store; it runs only when that store is named.
  testIgnore: process.env.MATIH_UI_SCALE_HOME ? [] : ['**/scale.spec.ts'],
  expect: { timeout: 15000 },
  outputDir: 'test-results/output',
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    ...baseConfig.use,
    baseURL,
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: 'jlpm start',
    url: `${baseURL}/lab`,
    timeout: 600 * 1000, // the seeds (runs, jobs, registry, monitoring, serving) take minutes on a busy machine
    reuseExistingServer: !process.env.CI,
    stdout: 'pipe',
    stderr: 'pipe'
  }
};
