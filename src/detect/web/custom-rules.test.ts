import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyHttp, classifyValue } from './classify.js';
import { CustomRuleError, compileCustomRules, loadCustomRules, unsafePatternReason } from './custom-rules.js';

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('custom rules', () => {
  it('loads YAML rules and merges them with the built-ins', () => {
    const path = tempFile(
      'rules.yaml',
      `rules:
  - id: custom.log4shell
    class: cmdi
    contains: ["\${jndi:", "ldap"]
    confidence: 0.97
  - id: custom.wp-probe
    class: traversal
    field: path
    pattern: "^/wp-admin/install\\\\.php"
`,
    );
    const rules = loadCustomRules(path);
    expect(rules.map((r) => r.id)).toEqual(['custom.log4shell', 'custom.wp-probe']);
    expect(rules[0]?.severity).toBe('CRITICAL');
    const v = classifyValue('%24%7Bjndi%3ALDAP%3A%2F%2Fevil.example%2Fa%7D', { customRules: rules });
    expect(v).toMatchObject({ attack: 'cmdi', rule: 'custom.log4shell', confidence: 0.97 });
    expect(classifyHttp({ path: '/wp-admin/install.php' }, { customRules: rules }).rule).toBe('custom.wp-probe');
    // Built-ins still apply.
    expect(classifyValue("' or 1=1--", { customRules: rules }).attack).toBe('sqli');
    expect(classifyValue('${jndi:rmi://x}', { customRules: rules }).attack).toBeNull();
  });

  it('loads JSON rules', () => {
    const path = tempFile('rules.json', JSON.stringify([{ id: 'j1', class: 'xss', contains: ['<marquee'] }]));
    const rules = loadCustomRules(path);
    expect(classifyValue('%3Cmarquee%3Ehi', { customRules: rules }).rule).toBe('j1');
  });

  it('matches contains after normalisation and SQL comment removal', () => {
    const rules = compileCustomRules([{ id: 'c1', class: 'sqli', contains: ['into outfile'] }]);
    expect(classifyValue('1 INTO/**/OUTFILE', { customRules: rules }).rule).toBe('c1');
  });

  it('rejects nested quantifiers and overlapping alternations, naming the rule', () => {
    expect(() => compileCustomRules([{ id: 'bad.nested', class: 'sqli', pattern: '(a+)+$' }])).toThrow(/rule "bad.nested".*nested quantifier/);
    expect(() => compileCustomRules([{ id: 'bad.alt', class: 'xss', pattern: '(a|a)*b' }])).toThrow(/rule "bad.alt".*alternation/);
    expect(() => compileCustomRules([{ id: 'bad.backref', class: 'xss', pattern: '(a)\\1' }])).toThrow(CustomRuleError);
    expect(unsafePatternReason('(\\w+\\s?)*x')).toMatch(/nested quantifier/);
    expect(unsafePatternReason('(?:foo|bar)+')).toBeNull();
    expect(unsafePatternReason('union\\s+select')).toBeNull();
    expect(unsafePatternReason('[(]+x')).toBeNull();
  });

  it('rejects malformed rules with a clear message', () => {
    expect(() => compileCustomRules([{ id: 'x', class: 'nope', contains: ['a'] }])).toThrow(/rule "x".*class/);
    expect(() => compileCustomRules([{ id: 'x', class: 'xss' }])).toThrow(/needs `contains` or `pattern`/);
    expect(() => compileCustomRules([{ id: 'x', class: 'xss', pattern: '(' }])).toThrow(/rule "x"/);
    expect(() => compileCustomRules([{ id: 'x', class: 'xss', contains: ['a'], confidence: 2 }])).toThrow(/confidence/);
    expect(() => compileCustomRules({ nope: 1 })).toThrow(/list of rules/);
    expect(() => loadCustomRules('/nonexistent/rules.yaml')).toThrow(/cannot read rules file/);
  });
});
