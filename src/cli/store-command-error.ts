/** The store cannot be used for this command (exit code 1 with this message). */
export class StoreCommandError extends Error {}
