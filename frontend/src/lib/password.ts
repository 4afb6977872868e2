// The auth service's length rule (PasswordPolicy in services/auth/src/scloud_auth/domain.py),
// checked early so people hear about it before submitting; password.test.ts keeps the two in step.
// The service also refuses the most common breached passwords; that answer comes from the server.
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

export const PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong one.`;

export function passwordProblem(password: string): string | null {
  // Counted in code points, as the service counts them, not UTF-16 units.
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters for your password.`;
  if (length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters for your password.`;
  return null;
}
