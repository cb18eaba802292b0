import { BRACE_EXPANSION } from './patterns.js';
import { finding, type WebFinding } from './types.js';

/**
 * OS command injection: a shell separator (`;`, `|`, `||`, `&`, `&&`, a
 * newline, a backtick or `$(`) followed by a command. Words that are also
 * English (`type`, `ping`, `sleep`, `dir`, …) only count with an argument of
 * the shape that command takes (`ping -c 3 …`, `sleep 5`, `type c:\…`), so
 * "yes; no; maybe" and "salt & pepper" stay benign.
 */

/** Commands that are unambiguous after a separator (alone or with any argument). */
const STRONG_COMMANDS = new Set([
  'id', 'whoami', 'uname', 'ifconfig', 'ipconfig', 'netstat', 'wget', 'curl', 'nc', 'ncat', 'netcat', 'bash', 'sh',
  'zsh', 'ksh', 'csh', 'tcsh', 'dash', 'powershell', 'pwsh', 'cmd', 'cmd.exe', 'powershell.exe', 'nslookup', 'telnet',
  'systeminfo', 'tasklist', 'taskkill', 'certutil', 'bitsadmin', 'wmic', 'nmap', 'chmod', 'chown', 'passwd',
  'hostname', 'ls', 'cat', 'rm', 'python', 'python3', 'perl', 'ruby', 'php', 'lua', 'xterm', 'printenv', 'env',
  'pwd', 'ps', 'net', 'reg', 'regedit', 'uptime', 'lsof', 'mkfifo', 'mknod', 'base64', 'xxd', 'tftp', 'scp', 'ssh',
  'useradd', 'usermod', 'crontab', 'killall', 'pkill', 'sudo', 'su', 'dig', 'host', 'traceroute', 'tracert',
  'shutdown', 'reboot', 'getent', 'w', 'who', 'last', 'lsb_release', 'busybox', 'socat', 'vssadmin', 'schtasks',
  'rundll32', 'regsvr32', 'mshta', 'cscript', 'wscript', 'msiexec',
]);

/** Commands that are also common words: they need a characteristic argument. */
const WEAK_COMMANDS = new Set([
  'ping', 'sleep', 'type', 'dir', 'echo', 'more', 'less', 'head', 'tail', 'find', 'grep', 'awk', 'sed', 'set', 'ver',
  'true', 'false', 'timeout', 'kill', 'sort', 'touch', 'mkdir', 'cp', 'mv', 'tar', 'export', 'date', 'time', 'nohup',
  'eval', 'exec', 'expr', 'test', 'file', 'print', 'start', 'call', 'copy', 'del', 'move', 'whoami.exe', 'net.exe',
]);

const CODE_EXEC_FUNCTIONS = ['system(', 'exec(', 'shell_exec(', 'passthru(', 'popen(', 'proc_open(', 'pcntl_exec(', 'runtime.getruntime().exec(', 'os.system(', 'subprocess.', 'child_process'];

interface Cmd {
  name: string;
  start: number;
  argStart: number;
  end: number;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
}

/** Shell view: `${IFS}` / `$IFS$9` / `{a,b}` brace lists as blanks, literal `\n` escapes as newlines. */
function shellView(s: string): string {
  let out = s;
  if (out.indexOf('$') >= 0 || out.indexOf('ifs') >= 0) {
    out = out.split('${ifs}').join(' ').split('$ifs$9').join(' ').split('$ifs').join(' ');
  }
  // Payload lists spell blanks as `+` even where the value was encoded once more (%2B).
  if (out.indexOf('+') >= 0) out = out.split('+').join(' ');
  if (out.indexOf('\\') >= 0) {
    out = out.split('\\n').join('\n').split('\\r').join('\n').split('\\t').join(' ');
  }
  if (out.indexOf('{') >= 0 && out.indexOf(',') >= 0) {
    // {cat,/etc/passwd} is brace expansion for "cat /etc/passwd".
    out = out.replace(BRACE_EXPANSION, (_m, a: string, b: string) => `${a} ${b.split(',').join(' ')}`);
  }
  return out;
}

/** Read the command word at `i`: skips `name=` assignments, quotes, `$'`, `(`, `{`, and takes a path's basename. */
function commandAt(s: string, i: number): Cmd | null {
  let j = i;
  for (let guard = 0; guard < 8; guard++) {
    while (j < s.length && (s[j] === ' ' || s[j] === '\t' || s[j] === '(' || s[j] === '{' || s[j] === '"' || s[j] === "'" || s[j] === '\\' || s[j] === '^' || s[j] === '@' || s[j] === '<')) j++;
    if (s[j] === '$' && (s[j + 1] === "'" || s[j + 1] === '"' || s[j + 1] === '(' || s[j + 1] === '\\')) {
      j += 2;
      continue;
    }
    // VAR=$'…' / VAR="…" / VAR=`…`: the quoted value is the command (a plain `x=y` is a parameter, not a command).
    let k = j;
    while (k < s.length && isWordChar(s.charCodeAt(k)) && s[k] !== '.' && s[k] !== '-') k++;
    const q = s[k + 1];
    if (k > j && s[k] === '=' && (q === '$' || q === '`' || q === '"' || q === "'")) {
      j = k + 1;
      continue;
    }
    break;
  }
  const start = j;
  let k = j;
  while (k < s.length) {
    const c = s.charCodeAt(k);
    if (isWordChar(c) || c === 47 /* / */ || c === 92 /* \ */ || (c === 58 /* : */ && k === start + 1)) k++;
    else break;
  }
  if (k === start) return null;
  // A trailing backslash escapes what follows (`id\'`), it is not part of the name.
  while (k > start + 1 && s[k - 1] === '\\') k--;
  let word = s.slice(start, k);
  const slash = Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\'));
  if (slash >= 0) word = word.slice(slash + 1);
  if (word.endsWith('.exe')) word = word.slice(0, -4);
  return { name: word, start, argStart: k, end: k };
}

function argumentsOf(s: string, from: number): string {
  let end = from;
  while (end < s.length && end - from < 200) {
    const c = s[end];
    if (c === ';' || c === '|' || c === '&' || c === '\n' || c === '`' || c === ')' || c === "'" || c === '"') break;
    end++;
  }
  return s.slice(from, end).trim();
}

function isNumber(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 48 || c > 57) && c !== 46) return false;
  }
  return true;
}

function looksLikePath(arg: string): boolean {
  return arg.startsWith('/') || arg.startsWith('~') || arg.startsWith('./') || (arg.length >= 2 && arg[1] === ':' && arg.charCodeAt(0) >= 97 && arg.charCodeAt(0) <= 122) || arg.startsWith('%') || arg.startsWith('$');
}

/** Does the command word, with what follows it, read like a command invocation? */
function plausible(name: string, args: string, next: string | undefined): boolean {
  const first = args.split(' ')[0] ?? '';
  const ends = args.length === 0;
  if (STRONG_COMMANDS.has(name)) {
    // `id=5`, `ls.`, `base64,` are not invocations: a command word ends at a blank, a separator or the end.
    if (next !== undefined && next !== ' ' && next !== ';' && next !== '|' && next !== '&' && next !== '\n' && next !== '\r' && next !== '`' && next !== ')' && next !== "'" && next !== '"' && next !== '<' && next !== '>' && next !== '$' && next !== '\\') return false;
    if (name === 'w' || name === 'who' || name === 'last' || name === 'host' || name === 'net' || name === 'su' || name === 'ps' || name === 'env') {
      return ends || first.startsWith('-') || first.startsWith('/') || (name === 'net' && (first === 'user' || first === 'localgroup' || first === 'view'));
    }
    return true;
  }
  if (!WEAK_COMMANDS.has(name)) return false;
  switch (name) {
    case 'ping':
      return first.startsWith('-') || /* host or address */ (first.length > 0 && first.indexOf('.') > 0 && !first.endsWith('.'));
    case 'sleep':
    case 'timeout':
      return isNumber(first);
    case 'type':
    case 'more':
    case 'less':
    case 'head':
    case 'tail':
    case 'find':
    case 'dir':
    case 'copy':
    case 'del':
    case 'move':
    case 'touch':
    case 'mkdir':
    case 'cp':
    case 'mv':
    case 'tar':
    case 'file':
      return looksLikePath(first) || first.startsWith('-') || (name === 'dir' && ends);
    case 'echo':
    case 'print':
      return first.startsWith('$') || first.startsWith('%') || args.includes('>') || first.startsWith('-');
    case 'true':
    case 'false':
    case 'ver':
    case 'date':
    case 'time':
      return ends && (next === undefined || next === ';' || next === '|' || next === '`' || next === ')' || next === '&' || next === '\n');
    case 'kill':
      return first.startsWith('-') || isNumber(first);
    case 'set':
    case 'export':
      return first.includes('=') && !first.startsWith('=');
    case 'grep':
    case 'awk':
    case 'sed':
    case 'sort':
      return first.startsWith('-') || args.includes('/');
    default:
      return first.startsWith('-') || looksLikePath(first);
  }
}

function isSeparatorAt(s: string, i: number): number {
  const c = s[i];
  if (c === ';' || c === '\n' || c === '\r' || c === '`') return 1;
  if (c === '|' || c === '&') return s[i + 1] === c ? 2 : 1;
  if (c === '$' && s[i + 1] === '(') return 2;
  return 0;
}

/** Classify a normalised value. */
export function detectCmdi(value: string): WebFinding | null {
  const s = shellView(value);
  // Server-side include: <!--#exec cmd="…" -->
  const ssi = s.indexOf('<!--#exec');
  if (ssi >= 0) return finding('cmdi', 'cmdi.ssi-exec', 0.95, s, ssi, ssi + 60);
  for (const fn of CODE_EXEC_FUNCTIONS) {
    const at = s.indexOf(fn);
    if (at >= 0 && (at === 0 || !isWordChar(s.charCodeAt(at - 1)))) {
      const arg = s.slice(at + fn.length, at + fn.length + 100).trimStart();
      if (arg.startsWith("'") || arg.startsWith('"') || arg.startsWith('$') || arg.startsWith('`') || fn.endsWith('.')) {
        return finding('cmdi', 'cmdi.code-exec', 0.85, s, at, at + fn.length + 40);
      }
    }
  }
  const positions: number[] = [];
  // The value itself may be the command (`/usr/bin/id|`, `'type c:\…'`), when a separator follows.
  positions.push(0);
  for (let i = 0; i < s.length && positions.length < 256; i++) {
    const len = isSeparatorAt(s, i);
    if (len > 0) {
      positions.push(i + len);
      i += len - 1;
    }
  }
  for (let p = 0; p < positions.length; p++) {
    const at = positions[p] as number;
    const cmd = commandAt(s, at);
    if (cmd === null) continue;
    const args = argumentsOf(s, cmd.argStart);
    const next = s[cmd.argStart];
    if (!plausible(cmd.name, args, next)) continue;
    if (p === 0) {
      // No separator before it: the value must continue as a shell line does.
      const rest = s.slice(cmd.argStart);
      let sepAfter = false;
      for (let i = 0; i < rest.length; i++) if (isSeparatorAt(rest, i) > 0) sepAfter = true;
      const quoted = s[0] === "'" || s[0] === '"' || s[0] === '<' || s[0] === '^' || s[0] === '(';
      const pathArg = looksLikePath(args.split(' ')[0] ?? '') && (STRONG_COMMANDS.has(cmd.name) || WEAK_COMMANDS.has(cmd.name));
      if (!sepAfter && !quoted && !(pathArg && cmd.name !== 'dir')) continue;
      if (!STRONG_COMMANDS.has(cmd.name) && !sepAfter && !quoted && !pathArg) continue;
    }
    return finding('cmdi', p === 0 ? 'cmdi.command' : 'cmdi.separator-command', p === 0 ? 0.85 : 0.9, s, Math.max(0, at - 1), cmd.argStart + Math.min(args.length, 80));
  }
  return null;
}
