import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, Incident } from '../../src/core/detection.js';
import { missingServerPolicy } from '../helpers/servers/common.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core
 * (its installed binary, headless; never a browser download).
 */
const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
const policy = missingServerPolicy(existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (Debian package chromium)`);
const TOKEN = 'dashboard-admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${TOKEN}` };
const ATTACKER = '203.0.113.80';
const SCREENSHOT = join(process.cwd(), 'test-results', 'dashboard.png');

/**
 * Run in the page: every visible element with its own text, whose text
 * contrast against its effective background is below WCAG AA (4.5:1).
 * (A string, because the test is compiled without the DOM library.)
 */
const LOW_CONTRAST = `(() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || c[3] > 0.5) return c;
    }
    return rgb(getComputedStyle(document.documentElement).backgroundColor);
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own || el.offsetParent === null || el.closest('.u-legend, .u-axis')) continue;
    const fg = lum(rgb(getComputedStyle(el).color));
    const bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) bad.push(el.tagName + '.' + el.className + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return bad;
})()`;

describe.skipIf(policy === 'skip')('dashboard in Chromium (playwright-core)', () => {
  let running: RunningService | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let home: string;
  /** Console errors and CSP violations seen by the page. */
  const problems: string[] = [];

  beforeAll(async () => {
    if (policy === 'fail') throw new Error(`${CHROMIUM} is missing: install the Debian chromium package (CI=true makes this a failure)`);
    running = await startService({
      'pipeline.maxLatenessSeconds': 1e12,
      'auth.tokens': [{ name: 'analyst', token: TOKEN, scopes: ['admin'] }],
    });
    home = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        '--disable-crash-reporter',
      ],
      // Crash reports and other dot-files stay in the temp dir (playwright makes a fresh profile dir itself).
      env: { ...process.env, HOME: home },
      timeout: 60_000,
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
  });

  it('shows an attack live, unblocks its IP with the admin token, takes false-positive feedback with a suppression', async () => {
    const { url, service } = running as RunningService;
    await page.goto(`${url}/`);
    await expect.poll(() => page.textContent('#stream-state'), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => page.textContent('#incidents-empty')).toBe('No incidents yet.');

    // A brute-force attack over HTTP, as any client would post it.
    const now = Date.now();
    const events = Array.from({ length: 6 }, (_, i) => loginFailure(ATTACKER, `user${i}`, now - 10_000 + i * 1000));
    expect((await postJson(`${url}/api/v1/events`, events)).status).toBe(202);

    // The incident appears (pushed over SSE, no reload) and the IP is in the blocked list.
    const incidentRow = page.locator(`#incidents tbody tr[data-subject="${ATTACKER}"]`);
    await incidentRow.waitFor({ timeout: 15_000 });
    expect(await incidentRow.locator('.level').textContent()).toBe('HIGH');
    const blockedRow = page.locator(`#blocked tbody tr[data-value="${ATTACKER}"]`);
    await blockedRow.waitFor({ timeout: 15_000 });
    expect(await blockedRow.locator('td').nth(1).textContent()).toMatch(/^(29|30)m /);
    expect(await page.textContent('#announcer')).toContain(`New HIGH incident: ip ${ATTACKER}`);
    // The per-second counters saw the events; the top IP is the attacker.
    await expect.poll(() => page.textContent('#top-ips tbody tr:first-child td:first-child'), { timeout: 10_000 }).toBe(ATTACKER);

    // Unblock: the page asks for the admin token once (kept in sessionStorage) and sends it as a Bearer token.
    await blockedRow.getByRole('button', { name: `Unblock ${ATTACKER}` }).click();
    await page.locator('#token-dialog').waitFor({ state: 'visible' });
    await page.fill('#token-input', TOKEN);
    await page.click('#token-save');
    await blockedRow.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.isVisible('#blocked-empty')).toBe(true);
    const lookup = (await (await fetch(`${url}/api/v1/decisions?ip=${ATTACKER}`)).json()) as { decisions: Decision[] };
    expect(lookup.decisions).toEqual([]);
    expect(await page.evaluate("sessionStorage.getItem('vigil.token')")).toBe(TOKEN);

    // Detail on click: the evidence is shown as text.
    await incidentRow.getByRole('button', { name: /^Details of incident/ }).click();
    await expect.poll(() => page.textContent('#detail-evidence')).toContain('"detector": "brute_force"');
    expect(await page.locator('#detail-evidence').evaluate((node) => node.children.length)).toBe(0);

    // False positive with a suppression (keyboard: the checkbox and the button are reachable and operable).
    await page.uncheck('#fb-unblock');
    await page.focus('#fb-suppress');
    await page.keyboard.press('Space');
    expect(await page.isChecked('#fb-suppress')).toBe(true);
    await page.focus('#fb-false');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#detail-verdict'), { timeout: 10_000 }).toContain('Verdict: false positive by analyst');
    await expect.poll(() => incidentRow.locator('.verdict').textContent()).toBe('false positive');
    await expect.poll(() => page.textContent('#suppressions')).toContain(`brute_force · ip ${ATTACKER}`);

    const incident = service.response.incidents({ ip: ATTACKER })[0] as Incident;
    expect(incident.feedback).toMatchObject({ verdict: 'false_positive', by: 'analyst' });
    const audit = (await (await fetch(`${url}/api/v1/audit?action=incident.feedback`, { headers: ADMIN })).json()) as {
      items: { actor: string; target: string; details: { verdict: string; suppressions: { detector: string }[] } }[];
    };
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actor: 'analyst', target: incident.id, details: { verdict: 'false_positive', suppressions: [{ detector: 'brute_force' }] } });
    const unblockAudit = (await (await fetch(`${url}/api/v1/audit?action=decision.delete`, { headers: ADMIN })).json()) as { items: { actor: string; target: string }[] };
    expect(unblockAudit.items.map((a) => `${a.actor} ${a.target}`)).toEqual([`analyst ${ATTACKER}`]);

    // The theme toggle switches dark and light (remembered in localStorage); a screenshot of each.
    mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
    const background = () => page.evaluate('getComputedStyle(document.body).backgroundColor');
    const before = await background();
    await page.click('#theme-toggle');
    const theme = await page.getAttribute('html', 'data-theme');
    expect(theme).toMatch(/^(dark|light)$/);
    expect(await background()).not.toBe(before);
    expect(await page.evaluate("localStorage.getItem('vigil.theme')")).toBe(theme);
    await page.screenshot({ path: join(process.cwd(), 'test-results', `dashboard-${theme}.png`), fullPage: true });
    expect(await page.evaluate(LOW_CONTRAST)).toEqual([]);
    await page.click('#theme-toggle');
    expect(await background()).toBe(before);
    expect(await page.evaluate(LOW_CONTRAST)).toEqual([]);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);

    // No script errors and no Content-Security-Policy violations while doing all that.
    expect(problems).toEqual([]);
  }, 90_000);
});
