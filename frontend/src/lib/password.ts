/** The server's password rule, checked early so people hear about it before submitting. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return "Use at least 8 characters for your password.";
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length;
  if (kinds < 2) return "Mix at least two kinds of characters (letters, digits, symbols) in your password.";
  return null;
}
