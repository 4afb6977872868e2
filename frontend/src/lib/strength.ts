// Password strength as zxcvbn-ts estimates it, on the same ranking of common passwords the auth
// service refuses (scripts/update_common_passwords.py). The estimator and its dictionaries are
// large, so they load on first use, never with the first page.

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

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
  return (await loadEstimator())(password, userInputs.filter(Boolean));
}
