import type { ThreatLevel } from '../../core/threat-level.js';
import { matchCustomRules, type CustomRule } from './custom-rules.js';
import { evidenceOf } from './types.js';

/**
 * Process command lines (`process` events): living-off-the-land execution
 * and persistence. Matching is on a folded view: lower case, `^` escapes and
 * quotes removed, blank runs squeezed, so `p^ower"shell"` still reads as
 * `powershell`.
 */

export type CommandIndicatorType = 'process_indicator' | 'persistence';

export interface CommandVerdict {
  type: CommandIndicatorType | 'cmdi' | null;
  severity: ThreatLevel | null;
  confidence: number;
  rule: string;
  evidence: string;
}

const NONE: CommandVerdict = { type: null, severity: null, confidence: 0, rule: '', evidence: '' };

export const COMMAND_SEVERITY: Readonly<Record<CommandIndicatorType, { severity: ThreatLevel; confidence: number }>> = {
  process_indicator: { severity: 'CRITICAL', confidence: 0.9 },
  persistence: { severity: 'HIGH', confidence: 0.8 },
};

function fold(cmd: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < cmd.length && i < 32 * 1024; i++) {
    const c = cmd[i] as string;
    if (c === '^' || c === '"' || c === "'" || c === '`') continue;
    const blank = c === ' ' || c === '\t' || c === '\n' || c === '\r';
    if (blank) {
      if (!space) out += ' ';
      space = true;
      continue;
    }
    space = false;
    out += c;
  }
  return out.toLowerCase().trim();
}

interface Word {
  text: string;
  start: number;
}

function words(s: string): Word[] {
  const out: Word[] = [];
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const blank = i === s.length || s[i] === ' ';
    if (blank && start >= 0) {
      out.push({ text: s.slice(start, i), start });
      start = -1;
    } else if (!blank && start < 0) {
      start = i;
    }
  }
  return out;
}

function program(word: string): string {
  const slash = Math.max(word.lastIndexOf('\\'), word.lastIndexOf('/'));
  let name = slash >= 0 ? word.slice(slash + 1) : word;
  if (name.endsWith('.exe')) name = name.slice(0, -4);
  return name;
}

/** `-e`, `-en`, … `-encodedcommand`, `-ec`: PowerShell accepts any unambiguous prefix. */
function isEncodedFlag(flag: string): boolean {
  if (flag[0] !== '-' && flag[0] !== '/') return false;
  const name = flag.slice(1);
  if (name === 'ec' || name === 'enc' || name === 'e') return true;
  return name.length >= 2 && 'encodedcommand'.startsWith(name);
}

function verdict(type: CommandIndicatorType, rule: string, s: string, start: number, end: number): CommandVerdict {
  const { severity, confidence } = COMMAND_SEVERITY[type];
  return { type, severity, confidence, rule, evidence: evidenceOf(s, start, end) };
}

const RUN_KEYS = ['\\currentversion\\run', '\\currentversion\\runonce', '\\currentversion\\runservices', '\\currentversion\\policies\\explorer\\run', '\\winlogon\\userinit', '\\winlogon\\shell', '\\image file execution options'];

function builtIn(s: string): CommandVerdict {
  const ws = words(s);
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i] as Word;
    const name = program(w.text);
    const rest = ws.slice(i + 1, i + 12);
    const has = (flag: string): boolean => rest.some((r) => r.text === flag || r.text.startsWith(`${flag}:`));
    const end = (rest[rest.length - 1] ?? w).start + 40;
    switch (name) {
      case 'powershell':
      case 'pwsh':
        if (rest.some((r) => isEncodedFlag(r.text))) return verdict('process_indicator', 'process.powershell-encoded', s, w.start, end);
        if (s.includes('downloadstring(') || s.includes('downloadfile(') || s.includes('iex(') || s.includes('invoke-expression')) {
          return verdict('process_indicator', 'process.powershell-download', s, w.start, end);
        }
        break;
      case 'cmd':
        if (has('/c') || has('/k') || has('/r')) return verdict('process_indicator', 'process.cmd-exec', s, w.start, end);
        break;
      case 'certutil':
        if (has('-decode') || has('/decode') || has('-decodehex') || has('/decodehex') || has('-urlcache') || has('/urlcache')) {
          return verdict('process_indicator', 'process.certutil', s, w.start, end);
        }
        break;
      case 'bitsadmin':
        if (has('/transfer') || has('-transfer') || has('/addfile')) return verdict('process_indicator', 'process.bitsadmin', s, w.start, end);
        break;
      case 'mshta':
        if (rest.some((r) => r.text.startsWith('http') || r.text.startsWith('javascript:') || r.text.startsWith('vbscript:'))) {
          return verdict('process_indicator', 'process.mshta', s, w.start, end);
        }
        break;
      case 'regsvr32':
        if (has('/i') && s.includes('scrobj.dll')) return verdict('process_indicator', 'process.regsvr32-scriptlet', s, w.start, end);
        break;
      case 'rundll32':
        if (s.includes('javascript:') || s.includes('url.dll,') || s.includes('shell32.dll,shellexec_rundll')) {
          return verdict('process_indicator', 'process.rundll32', s, w.start, end);
        }
        break;
      case 'schtasks':
        if (has('/create') || has('-create')) return verdict('persistence', 'persistence.schtasks', s, w.start, end);
        break;
      case 'reg':
        if (rest[0]?.text === 'add' && RUN_KEYS.some((k) => s.includes(k))) return verdict('persistence', 'persistence.run-key', s, w.start, end);
        break;
      case 'sc':
        if (rest[0]?.text === 'create' || (rest[0]?.text === 'config' && s.includes('binpath'))) return verdict('persistence', 'persistence.service', s, w.start, end);
        break;
      case 'wmic':
        if (s.includes('startup') || (s.includes('__eventfilter') && s.includes('create'))) return verdict('persistence', 'persistence.wmi', s, w.start, end);
        break;
      case 'crontab':
        if (rest.length === 0 || rest[0]?.text !== '-l') return verdict('persistence', 'persistence.cron', s, w.start, end);
        break;
      case 'systemctl':
        if (rest[0]?.text === 'enable') return verdict('persistence', 'persistence.systemd', s, w.start, end);
        break;
      default:
        break;
    }
  }
  // PowerShell cmdlets and autorun locations, wherever they appear.
  for (const key of ['set-itemproperty', 'new-itemproperty']) {
    const at = s.indexOf(key);
    if (at >= 0 && RUN_KEYS.some((k) => s.includes(k.replace('\\currentversion', 'currentversion')))) return verdict('persistence', 'persistence.run-key', s, at, at + 80);
  }
  for (const key of ['register-scheduledtask', 'new-scheduledtask', 'new-service']) {
    const at = s.indexOf(key);
    if (at >= 0) return verdict('persistence', 'persistence.cmdlet', s, at, at + 80);
  }
  for (const key of ['\\start menu\\programs\\startup', '\\startup\\', 'autorun.inf', '/etc/cron.', '/etc/rc.local', '/etc/init.d/', '.bashrc', '/etc/profile.d/']) {
    const at = s.indexOf(key);
    if (at >= 0 && (s.includes('copy ') || s.includes('move ') || s.includes('echo ') || s.includes('>') || s.includes('cp ') || s.includes('tee ') || s.includes('new-item'))) {
      return verdict('persistence', 'persistence.autorun', s, at, at + 80);
    }
  }
  return NONE;
}

/** Classify a process command line. Custom rules with `field: command` take part too. */
export function classifyCommand(cmd: string, customRules: readonly CustomRule[] = []): CommandVerdict {
  const s = fold(cmd);
  let best = builtIn(s);
  if (customRules.length > 0) {
    const m = matchCustomRules(customRules, 'command', s);
    if (m !== null && m.rule.confidence > best.confidence) {
      const type = m.rule.class === 'persistence' || m.rule.class === 'process_indicator' || m.rule.class === 'cmdi' ? m.rule.class : 'process_indicator';
      best = { type, severity: m.rule.severity, confidence: m.rule.confidence, rule: m.rule.id, evidence: m.evidence };
    }
  }
  return best;
}
