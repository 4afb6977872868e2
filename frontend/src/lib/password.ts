// The auth service's rule (check_password_strength in services/auth/src/scloud_auth/domain.py),
// checked early so people hear about it before submitting; password.test.ts keeps the two in step.
export const MIN_PASSWORD_LENGTH = 8;
// bcrypt ignores everything past 72 bytes, so the service refuses longer passwords.
export const MAX_PASSWORD_BYTES = 72;

// Python's str.islower/isupper/isdigit/isalnum, which the service uses, are Unicode-aware.
const KINDS = [/\p{Lowercase}/u, /\p{Uppercase}/u, /\p{Nd}/u, /[^\p{L}\p{N}]/u];

export const PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters, mixing two kinds: lower case, upper case, digits, symbols.`;

export function passwordProblem(password: string): string | null {
  // Counted in code points, as the service counts them, not UTF-16 units.
  if ([...password].length < MIN_PASSWORD_LENGTH)
    return `Use at least ${MIN_PASSWORD_LENGTH} characters for your password.`;
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
    return `Use at most ${MAX_PASSWORD_BYTES} bytes for your password (fewer characters, or plainer ones).`;
  }
  const kinds = KINDS.filter((pattern) => pattern.test(password)).length;
  if (kinds < 2) return "Mix at least two kinds of characters (letters, digits, symbols) in your password.";
  return null;
}
