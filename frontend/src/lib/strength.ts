// Password strength as zxcvbn-ts estimates it, on the same ranking of common passwords the auth
// service refuses (scripts/update_common_passwords.py). The estimator and its dictionaries are
// large, so they load on first use, never with the first page.
//
// `isStrongEnough` is the auth service's verdict (PasswordPolicy in
// services/auth/src/scloud_auth/password_policy.py): the length rule, no repeated or sequential
// pattern, and a score of at least MIN_STRENGTH_SCORE. strength.test.ts and the service's tests
// hold both to tests/contract/password_strength_examples.json.

import { passwordProblem } from "./password";

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

/** The service's AUTH_PASSWORD_MIN_SCORE default (tests/contract/test_password_strength.py checks). */
export const MIN_STRENGTH_SCORE = 3;

// zxcvbn's cost grows quickly with length, so both sides score the first characters only.
const SCORED_LENGTH = 72;

// Cycles a sequential pattern walks along, either way round: the alphabet, the digits, and the
// letters of a QWERTY keyboard row by row.
const SEQUENCES = ["abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm"];

export const STRENGTH_LABELS: Record<StrengthScore, string> = {
  0: "Very weak",
  1: "Weak",
  2: "Fair",
  3: "Good",
  4: "Strong",
};

type Estimator = (password: string, userInputs: string[]) => StrengthScore;

let estimator: Promise<Estimator> | null = null;

function loadEstimator(): Promise<Estimator> {
  estimator ??= Promise.all([import("@zxcvbn-ts/core"), import("@zxcvbn-ts/language-common")]).then(
    ([core, common]) => {
      const zxcvbn = new core.ZxcvbnFactory({
        dictionary: common.dictionary,
        graphs: common.adjacencyGraphs,
      });
      return (password, userInputs) => zxcvbn.check(password, userInputs).score as StrengthScore;
    },
  );
  return estimator;
}

/** 0 (guessed at once) to 4 (very hard to guess); `userInputs` (email, name) count as known words. */
export async function estimateStrength(password: string, userInputs: string[] = []): Promise<StrengthScore> {
  const scored = [...password].slice(0, SCORED_LENGTH).join("");
  return (await loadEstimator())(scored, userInputs.filter(Boolean));
}

/** One shorter piece said again and again (aaaa…, 123123…, abcabc…). */
function isRepeated(characters: string[]): boolean {
  const text = characters.join("");
  for (let size = 1; size <= characters.length / 2; size++) {
    if (
      characters.length % size === 0 &&
      characters
        .slice(0, size)
        .join("")
        .repeat(characters.length / size) === text
    ) {
      return true;
    }
  }
  return false;
}

function stepsAlong(characters: string[], cycle: string, direction: number): boolean {
  return characters.slice(1).every((next, i) => {
    const from = cycle.indexOf(characters[i]);
    const to = cycle.indexOf(next);
    return from >= 0 && to >= 0 && to === (from + direction + cycle.length) % cycle.length;
  });
}

/** Each character is the next (or each the previous) one of the same sequence. */
function isSequential(characters: string[]): boolean {
  return (
    characters.length > 1 &&
    SEQUENCES.some((cycle) => stepsAlong(characters, cycle, 1) || stepsAlong(characters, cycle, -1))
  );
}

export function hasTrivialPattern(password: string): boolean {
  const characters = [...password.toLowerCase()];
  return isRepeated(characters) || isSequential(characters);
}

/** Whether the auth service will accept this password (it also refuses the commonly breached
 * ones, which zxcvbn-ts scores low from the same list). */
export async function isStrongEnough(password: string, userInputs: string[] = []): Promise<boolean> {
  if (passwordProblem(password) !== null || hasTrivialPattern(password)) return false;
  return (await estimateStrength(password, userInputs)) >= MIN_STRENGTH_SCORE;
}
