/// <reference types="node" />
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hasTrivialPattern, isStrongEnough } from "./strength";

// The examples the auth service's tests check too (tests/contract/test_password_strength.py).
const examples = JSON.parse(
  readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), "../../../tests/contract/password_strength_examples.json"),
    "utf8",
  ),
) as { password: string; accepted: boolean }[];

describe("isStrongEnough", () => {
  it("has examples of both verdicts", () => {
    expect(new Set(examples.map((example) => example.accepted))).toEqual(new Set([true, false]));
  });

  it.each(examples)("gives $password the service's verdict", async ({ password, accepted }) => {
    expect(await isStrongEnough(password)).toBe(accepted);
  });
});

describe("hasTrivialPattern", () => {
  it.each(["aaaaaaaaaaaa", "123123123123", "abcdefghijkl", "ZYXWVUTSRQPO", "qwertyuiopas", "890123456789"])(
    "finds the pattern in %s",
    (password) => {
      expect(hasTrivialPattern(password)).toBe(true);
    },
  );

  it.each(["correct horse 1", "abcdefghijkm", "aaaaaaaaaaab"])("finds none in %s", (password) => {
    expect(hasTrivialPattern(password)).toBe(false);
  });
});
