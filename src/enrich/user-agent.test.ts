import { describe, expect, it } from 'vitest';
import { UserAgentClassifier } from './user-agent.js';

describe('UserAgentClassifier', () => {
  const c = new UserAgentClassifier({ cacheSize: 3 });

  it('names the reason', () => {
    expect(c.classify('').reason).toBe('empty');
    expect(c.classify('   ').reason).toBe('empty');
    expect(c.classify('curl/7').reason).toBe('too_short');
    expect(c.classify('a'.repeat(501)).reason).toBe('too_long');
    expect(c.classify('Go-http-client/1.1')).toMatchObject({ reason: 'tool', tool: 'go-http-client' });
    expect(c.classify('Mozilla/5.0 (compatible; AhrefsBot/7.0)')).toMatchObject({ reason: 'tool', tool: 'bot' });
    expect(c.classify('InternalDashboardClient').reason).toBe('no_version');
    expect(c.classify('Mozilla/5.0 (X11) unknown/1').reason).toBe('malformed_browser');
  });

  it('accepts real browsers and versioned non-browser clients', () => {
    const chrome = c.classify('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36');
    expect(chrome).toMatchObject({ suspicious: false, browser: 'Chrome', browserVersion: '124.0.0.0' });
    expect(c.classify('okhttp/4.9.0').suspicious).toBe(false);
  });

  it('returns the cached verdict for a repeated agent', () => {
    const a = c.classify('sqlmap/1.8#stable');
    expect(c.classify('sqlmap/1.8#stable')).toBe(a);
  });
});
