/** Error bodies carry a stable code (documented in the README) and a message a user can act on. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

export function apiError(code: string, message: string): ApiErrorBody {
  return { error: { code, message } };
}
