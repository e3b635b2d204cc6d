import { describe, expect, it } from 'vitest';
import { summarizeUserAgent } from './userAgent.js';

const agents = {
  chromeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  safariIpad:
    'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  safariMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
  chromeAndroid:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
};

describe('summarizeUserAgent', () => {
  it('names the browser and where it runs', () => {
    expect(summarizeUserAgent(agents.chromeWindows)).toBe('Chrome on Windows');
    expect(summarizeUserAgent(agents.safariIphone)).toBe('Safari on iPhone');
    expect(summarizeUserAgent(agents.safariIpad)).toBe('Safari on iPad');
    expect(summarizeUserAgent(agents.firefoxLinux)).toBe('Firefox on Linux');
    expect(summarizeUserAgent(agents.safariMac)).toBe('Safari on macOS');
    expect(summarizeUserAgent(agents.edgeWindows)).toBe('Microsoft Edge on Windows');
    expect(summarizeUserAgent(agents.chromeAndroid)).toBe('Chrome on Android');
  });

  it('says "Unknown browser" when there is no header or nothing in it is recognised', () => {
    expect(summarizeUserAgent(undefined)).toBe('Unknown browser');
    expect(summarizeUserAgent('   ')).toBe('Unknown browser');
    expect(summarizeUserAgent('curl/8.4.0')).toBe('Unknown browser');
  });

  it('keeps what it returns short, whatever the client sends', () => {
    const summary = summarizeUserAgent(`${'A'.repeat(5_000)}/1.0 (X11; Linux x86_64) ${'B'.repeat(5_000)}`);
    expect(summary.length).toBeLessThanOrEqual(100);
  });
});
