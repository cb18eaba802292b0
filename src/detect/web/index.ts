export { classifyHttp, classifyPath, classifyValue, splitQuery, type ValueContext, type WebClassifierOptions } from './classify.js';
export { COMMAND_SEVERITY, classifyCommand, type CommandIndicatorType, type CommandVerdict } from './command.js';
export {
  CustomRuleError,
  compileCustomRules,
  loadCustomRules,
  matchCustomRules,
  unsafePatternReason,
  type CustomRule,
  type CustomRuleSpec,
} from './custom-rules.js';
export { DEFAULT_MAX_VALUE_LENGTH, normalize, type NormalizeOptions } from './normalize.js';
export { WEB_PATTERNS } from './patterns.js';
export { scanLine, scanLines, type ScanInput, type ScanRecord } from './scan.js';
export { WEB_ATTACK_CLASSES, WEB_ATTACK_SEVERITY, type WebAttackClass, type WebFinding, type WebVerdict } from './types.js';
