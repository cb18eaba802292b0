/** Exit codes of the `vigil` command (documented in the README). */
export const EXIT = {
  OK: 0,
  /** A runtime failure: unreadable input, a port in use, an unexpected error. */
  FAILURE: 1,
  /** Wrong usage: unknown command or option, bad argument. */
  USAGE: 2,
  /** The configuration is invalid (the message names each bad path). */
  CONFIG: 3,
  /** `replay`: finished, but some lines could not be parsed (see the summary). */
  INPUT_ERRORS: 4,
  /** `audit verify`: the audit chain is broken (the message names the first bad row); `compliance report --strict`: NON_COMPLIANT. */
  VERIFY_FAILED: 5,
} as const;
