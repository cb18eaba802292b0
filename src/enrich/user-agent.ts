import { LruCache } from '../core/lru-cache.js';
import { UAParser } from 'ua-parser-js';

/**
 * User-agent classification for detectors: is this client a scanner, a
 * script or otherwise not a real browser? Parsed with ua-parser-js 1.x (MIT;
 * 2.x is AGPL), with a bounded LRU cache because the same few agents repeat.
 */
export type UserAgentReason = 'empty' | 'too_short' | 'too_long' | 'tool' | 'no_version' | 'malformed_browser';

export interface UserAgentVerdict {
  suspicious: boolean;
  reason: UserAgentReason | undefined;
  /** The tool token matched (curl, sqlmap, …) when reason is 'tool'. */
  tool: string | undefined;
  browser: string | undefined;
  browserVersion: string | undefined;
  os: string | undefined;
}

export interface UserAgentClassifierOptions {
  minLength?: number;
  maxLength?: number;
  cacheSize?: number;
}

/** Scanners, attack tools, HTTP libraries and crawlers (matched case-insensitively). */
export const TOOL_TOKENS = [
  'curl',
  'wget',
  'python',
  'sqlmap',
  'nikto',
  'nmap',
  'masscan',
  'zgrab',
  'gobuster',
  'dirb',
  'hydra',
  'medusa',
  'go-http-client',
  'libwww',
  'crawler',
  'scanner',
] as const;

const TOOL_PATTERN = new RegExp(TOOL_TOKENS.map((t) => t.replace(/[-]/g, '\\-')).join('|'), 'i');
/** "bot" as a word or a suffix (Googlebot, AhrefsBot, bot/1.0), not inside a device model such as CUBOT. */
const BOT_PATTERN = /bot(?![a-z])/i;
const DIGIT = /\d/;

export class UserAgentClassifier {
  private readonly cache: LruCache<string, UserAgentVerdict>;
  private readonly minLength: number;
  private readonly maxLength: number;
  private readonly parser = new UAParser();

  constructor(options: UserAgentClassifierOptions = {}) {
    this.minLength = options.minLength ?? 10;
    this.maxLength = options.maxLength ?? 500;
    this.cache = new LruCache(options.cacheSize ?? 10_000);
  }

  classify(userAgent: string): UserAgentVerdict {
    const cached = this.cache.get(userAgent);
    if (cached !== undefined) return cached;
    const verdict = this.compute(userAgent);
    this.cache.set(userAgent, verdict);
    return verdict;
  }

  private compute(userAgent: string): UserAgentVerdict {
    const trimmed = userAgent.trim();
    if (trimmed.length === 0) return verdict('empty');
    if (trimmed.length < this.minLength) return verdict('too_short');
    if (userAgent.length > this.maxLength) return verdict('too_long');
    const tool = TOOL_PATTERN.exec(trimmed);
    if (tool !== null) return { ...verdict('tool'), tool: tool[0].toLowerCase() };
    this.parser.setUA(trimmed);
    const result = this.parser.getResult();
    const model = result.device.model ?? '';
    const withoutModel = model.length > 0 ? trimmed.replace(model, '') : trimmed;
    const bot = BOT_PATTERN.exec(withoutModel);
    if (bot !== null) return { ...verdict('tool'), tool: 'bot' };
    if (!DIGIT.test(trimmed)) return verdict('no_version');
    const browser = result.browser.name;
    const browserVersion = result.browser.version;
    // Everything that claims to be a browser ("Mozilla/…") must parse as one with a version.
    if (/^mozilla\//i.test(trimmed) && (browser === undefined || browserVersion === undefined)) {
      return { ...verdict('malformed_browser'), os: result.os.name };
    }
    return { suspicious: false, reason: undefined, tool: undefined, browser, browserVersion, os: result.os.name };
  }
}

function verdict(reason: UserAgentReason): UserAgentVerdict {
  return { suspicious: true, reason, tool: undefined, browser: undefined, browserVersion: undefined, os: undefined };
}
