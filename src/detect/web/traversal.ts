import { finding, type WebFinding } from './types.js';

/**
 * Path traversal, local and remote file inclusion. Works on a path view of
 * the normalised value: backslashes become slashes and the hex spellings
 * some payload lists use (`0x2e0x2e0x2f`, `..2f`) become dots and slashes.
 */

/** Files whose only reason to appear in a parameter is to be read by an attacker. */
const SENSITIVE_FILES = [
  'etc/passwd', 'etc/shadow', 'etc/group', 'etc/hosts', 'etc/issue', 'etc/motd', 'etc/hostname', 'etc/sudoers',
  'etc/crontab', 'etc/fstab', 'etc/master.passwd', 'etc/security/', 'etc/httpd/', 'etc/apache', 'etc/nginx/',
  'etc/mysql/', 'etc/ssh/', 'etc/php', 'etc/my.cnf', 'etc/resolv.conf', 'etc/inetd.conf', 'etc/profile', 'etc/rc.',
  'proc/self/', 'proc/version', 'proc/cpuinfo', 'proc/meminfo', 'proc/mounts', 'proc/net/', 'proc/sched_debug',
  'boot.ini', 'win.ini', 'system.ini', 'windows/system32', 'winnt/system32', 'windows/repair', 'system32/drivers/etc',
  '.ssh/id_rsa', '.ssh/id_dsa', '.ssh/authorized_keys', '.ssh/known_hosts', '.htpasswd', '.htaccess', 'web.config',
  'wp-config.php', 'configuration.php', 'config.inc.php', 'localsettings.php', '.bash_history', '.bash_profile',
  '.bashrc', '.zsh_history', '.mysql_history', '.git/config', '.git/head', '.svn/entries', '.env', 'php.ini',
  'httpd.conf', 'apache2.conf', 'nginx.conf', 'my.cnf', 'my.ini', 'access.log', 'error.log', 'access_log', 'error_log',
  'var/log/', 'var/mail/', 'var/spool/', 'usr/local/apache', 'autoexec.bat', 'ntuser.dat', 'pagefile.sys',
  'shadow', 'passwd', 'inetpub/', 'etc/', 'master.passwd', 'web-inf/', 'meta-inf/', 'global.asa', 'metabase.xml',
  'desktop.ini', '.forward', '.cshrc', '.kshrc', '.tcshrc', '.profile', '.login', '.logout', '.rhosts', '.shosts',
  '.netrc', '.sh_history', '.history', '.xauthority', '.pgpass', '.my.cnf', '.git-credentials', '.npmrc',
  '.aws/credentials', '.docker/config.json', '.passwd', '.viminfo', '.lesshst',
];

/** Server-side source and configuration files: reached with `../` only to read them. */
const SERVER_FILE_EXTENSIONS = new Set([
  'php', 'php3', 'php4', 'php5', 'phtml', 'inc', 'asp', 'aspx', 'asa', 'asax', 'jsp', 'jspx', 'config', 'conf', 'cfg',
  'ini', 'xml', 'db', 'sqlite', 'sql', 'mdb', 'log', 'env', 'yml', 'yaml', 'bak', 'old', 'cgi', 'pl', 'py', 'rb',
  'properties', 'passwd', 'htpasswd', 'pem', 'key', 'cnf', 'js', 'json',
]);

/** First segments under a Windows drive that only attackers ask for. */
const WINDOWS_ROOTS = [
  'windows', 'winnt', 'inetpub', 'program files', 'progra~1', 'appserv', 'xampp', 'wamp', 'boot.ini', 'system32',
  'documents and settings', 'apache', 'php', 'mysql', 'autoexec.bat', 'pagefile.sys', 'sysprep', 'unattend',
];

/** First path segments of system directories on Unix-like hosts. */
const SYSTEM_ROOTS = new Set([
  'etc', 'proc', 'sys', 'var', 'usr', 'root', 'boot', 'dev', 'bin', 'sbin', 'lib', 'lib64', 'opt', 'private',
  'volumes', 'library', 'system', 'srv', 'logs', 'log', 'tmp', 'windows', 'winnt', 'inetpub', 'apache', 'apache2',
  'xampp', 'wamp', 'php', 'mysql', 'program files', 'program files (x86)', 'documents and settings', 'applications',
  'home',
]);

/** Directories under a Windows drive that only attackers ask for. */
const PHP_WRAPPERS = [
  'php://', 'file://', 'expect://', 'data://', 'zip://', 'phar://', 'glob://', 'compress.zlib://',
  'compress.bzip2://', 'ogg://', 'rar://', 'ssh2.shell://', 'ssh2.exec://', 'jar:', 'netdoc://', 'gopher://', 'dict://',
];

const SCRIPT_EXTENSIONS = new Set(['txt', 'php', 'php3', 'php4', 'php5', 'phtml', 'inc', 'sh', 'pl', 'py', 'cgi', 'asp', 'aspx', 'jsp', 'gif', 'jpg']);
const REMOTE_SCHEMES = ['http://', 'https://', 'ftp://', 'ftps://', '\\\\'];

function pathView(s: string): string {
  let out = s;
  if (out.indexOf('\\') >= 0) out = out.split('\\').join('/');
  if (out.indexOf('0x') >= 0) out = out.split('0x2e').join('.').split('0x2f').join('/').split('0x5c').join('/');
  if (out.indexOf('..') >= 0) out = out.split('..2f').join('../').split('..5c').join('../');
  return out;
}

function isBoundary(c: string | undefined): boolean {
  return c === undefined || c === '/' || c === ' ' || c === '=' || c === ':' || c === '"' || c === "'" || c === '.' || c === '(' || c === '\n' || c === '&' || c === '|' || c === ';' || c === '<' || c === '>';
}

function isNameChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || c === '_' || c === '-';
}

/** SENSITIVE_FILES by first character, each with its place in the list (earlier entries win). */
const SENSITIVE_BY_FIRST = new Map<string, { file: string; rank: number }[]>();
SENSITIVE_FILES.forEach((file, rank) => {
  const first = file[0] as string;
  const list = SENSITIVE_BY_FIRST.get(first) ?? [];
  list.push({ file, rank });
  SENSITIVE_BY_FIRST.set(first, list);
});

function validSensitiveAt(p: string, at: number, file: string, requireSlash: boolean): boolean {
  const before = at > 0 ? p[at - 1] : undefined;
  const after = p[at + file.length];
  const lastIsSep = file.endsWith('/') || file.endsWith('.');
  const okBefore = requireSlash || file === 'shadow' || file === 'passwd' || file === 'etc/' ? before === '/' : isBoundary(before) || at === 0;
  const okAfter = lastIsSep || !isNameChar(after);
  return okBefore && okAfter;
}

/**
 * A sensitive file reference (path-bounded), or null: the earliest entry of
 * SENSITIVE_FILES that occurs validly, at its first valid place. One pass
 * over the value, looking up candidates by character, instead of an indexOf
 * per list entry.
 */
export function findSensitiveFile(p: string, requireSlash: boolean): { at: number; file: string } | null {
  // Every entry holds a '/' or a '.', except shadow and passwd, which must follow a '/':
  // a value with neither (most parameter values) cannot match.
  if (p.indexOf('/') < 0 && p.indexOf('.') < 0) return null;
  let best: { at: number; file: string; rank: number } | null = null;
  for (let i = 0; i < p.length; i++) {
    const candidates = SENSITIVE_BY_FIRST.get(p[i] as string);
    if (candidates === undefined) continue;
    for (const { file, rank } of candidates) {
      if (best !== null && rank >= best.rank) break;
      if (p.startsWith(file, i) && validSensitiveAt(p, i, file, requireSlash)) {
        best = { at: i, file, rank };
        break;
      }
    }
  }
  return best === null ? null : { at: best.at, file: best.file };
}

function isAlnum(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code > 127;
}

/**
 * `..` segments that climb: followed by `/` (after the backslash fold), the
 * end, or — for separators spelled in an encoding we do not know (`..%uF025..`,
 * `..;/`) — up to three punctuation characters and then another `..` or `/`.
 */
function countDotDot(p: string): { count: number; first: number } {
  let count = 0;
  let first = -1;
  let at = p.indexOf('..');
  while (at >= 0) {
    let end = at + 2;
    while (p[end] === '.') end++;
    let j = end;
    while (j < p.length && j - end < 3 && p[j] !== '/' && p[j] !== '.' && !isAlnum(p[j])) j++;
    const climbs = end === p.length || p[j] === '/' || (j > end && p[j] === '.' && p[j + 1] === '.');
    if (climbs) {
      count++;
      if (first < 0) first = at;
    }
    at = p.indexOf('..', Math.max(end, at + 2));
  }
  return { count, first };
}

/** Extension of the file named right after a `../`, when there is one. */
function fileAfterDotDot(p: string, from: number): string {
  const slash = p.indexOf('/', from);
  if (slash < 0) return '';
  let end = slash + 1;
  while (end < p.length && p[end] !== '?' && p[end] !== '&' && p[end] !== ' ' && p[end] !== '#') end++;
  const path = p.slice(slash + 1, end);
  const dot = path.lastIndexOf('.');
  return dot < 0 || path.indexOf('/', dot) >= 0 ? '' : path.slice(dot + 1);
}

/** `/./././…` (path-length truncation) or `/.../`: no ordinary path looks like this. */
function hasDotPadding(p: string): boolean {
  let dotSlash = 0;
  let at = p.indexOf('/./');
  while (at >= 0 && dotSlash < 4) {
    dotSlash++;
    at = p.indexOf('/./', at + 2);
  }
  if (dotSlash >= 4) return true;
  const many = p.indexOf('/...');
  return many >= 0 && (many === 0 || p.startsWith('/...', 0));
}

function checkRemoteInclude(p: string, rawHadNull: boolean): WebFinding | null {
  for (const scheme of REMOTE_SCHEMES) {
    let at = p.indexOf(scheme);
    while (at >= 0) {
      let end = at + scheme.length;
      while (end < p.length && p[end] !== ' ' && p[end] !== '&' && p[end] !== '"' && p[end] !== "'" && p[end] !== '\n') end++;
      const url = p.slice(at, end);
      const q = url.indexOf('?', scheme.length);
      const path = q < 0 ? url : url.slice(0, q);
      const slash = path.indexOf('/', scheme.length);
      const resource = slash < 0 ? '' : path.slice(slash + 1);
      const dot = resource.lastIndexOf('.');
      const ext = dot < 0 ? '' : resource.slice(dot + 1);
      const trailingQuery = q >= 0 && url.slice(q).split('').every((c) => c === '?');
      const nested = at > 0 && (p[at - 1] === '=' || p[at - 1] === '(');
      const scriptLike = SCRIPT_EXTENSIONS.has(ext);
      if ((scriptLike && (trailingQuery || rawHadNull || ext === 'txt' || ext === 'inc' || nested)) || (trailingQuery && resource.length > 0 && q === url.length - 1 && nested)) {
        return finding('traversal', 'traversal.remote-include', 0.9, p, at, end);
      }
      at = p.indexOf(scheme, end);
    }
  }
  return null;
}

export interface TraversalOptions {
  /** The value is the request path, not a parameter: every path is absolute there. */
  isPath?: boolean;
  /** The raw value carried a null byte (`%00`), the classic extension truncation. */
  rawHadNull?: boolean;
}

/** Classify a normalised value. */
export function detectTraversal(value: string, options: TraversalOptions = {}): WebFinding | null {
  const p = pathView(value);
  // Every wrapper ends in ':' or '://'.
  if (p.indexOf(':') >= 0) {
    for (const wrapper of PHP_WRAPPERS) {
      const at = p.indexOf(wrapper);
      if (at >= 0 && (at === 0 || !isNameChar(p[at - 1]))) {
        return finding('traversal', 'traversal.stream-wrapper', 0.9, p, at, at + wrapper.length + 60);
      }
    }
  }
  const dots = p.indexOf('..') >= 0 ? countDotDot(p) : { count: 0, first: -1 };
  const sensitive = findSensitiveFile(p, false);
  if (dots.count >= 2 || (dots.count === 1 && sensitive !== null)) {
    return finding('traversal', 'traversal.dot-dot', 0.9, p, dots.first, sensitive !== null ? sensitive.at + sensitive.file.length : dots.first + 60);
  }
  if (dots.count === 1) {
    const trimmed = p.trimStart();
    if (trimmed.startsWith('/..') || SERVER_FILE_EXTENSIONS.has(fileAfterDotDot(p, dots.first))) {
      return finding('traversal', 'traversal.dot-dot', 0.85, p, dots.first, dots.first + 60);
    }
  }
  if (p.indexOf('/.') >= 0 && hasDotPadding(p)) return finding('traversal', 'traversal.dot-padding', 0.8, p, p.indexOf('/.'), p.indexOf('/.') + 60);
  const rfi = p.indexOf('://') >= 0 || p.indexOf('\\\\') >= 0 ? checkRemoteInclude(p, options.rawHadNull ?? false) : null;
  if (rfi !== null) return rfi;
  if (sensitive !== null && sensitive.file !== 'etc/' && sensitive.file !== 'shadow' && sensitive.file !== 'passwd') {
    return finding('traversal', 'traversal.sensitive-file', 0.85, p, sensitive.at, sensitive.at + sensitive.file.length);
  }
  if (!options.isPath) {
    const abs = absoluteSystemPath(p);
    if (abs) return finding('traversal', 'traversal.absolute-path', 0.8, p, 0, 80);
    if (sensitive !== null) return finding('traversal', 'traversal.sensitive-file', 0.8, p, sensitive.at, sensitive.at + sensitive.file.length);
  }
  return null;
}

/** The whole value is an absolute path into a system directory (`/etc/…`, `c:/windows/…`). */
function absoluteSystemPath(p: string): boolean {
  let s = p.trim();
  let i = 0;
  if (s[0] === '/' && s[2] === ':') s = s.slice(1);
  if (s.length >= 3 && s[1] === ':' && s.charCodeAt(0) >= 97 && s.charCodeAt(0) <= 122) {
    let rest = s.slice(2);
    while (rest[0] === '/') rest = rest.slice(1);
    return WINDOWS_ROOTS.some((root) => rest.startsWith(root));
  }
  if (s[0] !== '/') return false;
  while (s[i] === '/' || s[i] === '.') i++;
  let end = s.indexOf('/', i);
  if (end < 0) end = s.length;
  const root = s.slice(i, end);
  if (root === 'home') {
    // Home directories are ordinary; their dot-files are not.
    return s.indexOf('/.', end) >= 0;
  }
  if (!SYSTEM_ROOTS.has(root)) return false;
  // `/etc` alone or `/etc/x`: a path, not a sentence that starts with a slash.
  return s.indexOf(' ') < 0 || end < s.length;
}
