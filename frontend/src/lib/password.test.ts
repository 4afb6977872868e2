/// <reference types="node" />
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH, passwordProblem } from "./password";

// Read from disk: the service's source is outside what Vite may serve to the tests.
const authDomain = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), "../../../services/auth/src/scloud_auth/domain.py"),
  "utf8",
);

function serviceConstant(name: string): number {
  const match = authDomain.match(new RegExp(`^${name} = (\\d+)`, "m"));
  if (!match) throw new Error(`${name} is no longer defined in the auth service's domain.py`);
  return Number(match[1]);
}

describe("passwordProblem", () => {
  it("uses the auth service's length limits", () => {
    expect(MIN_PASSWORD_LENGTH).toBe(serviceConstant("MIN_PASSWORD_LENGTH"));
    expect(MAX_PASSWORD_BYTES).toBe(serviceConstant("MAX_PASSWORD_BYTES"));
  });

  it.each([
    ["Sunny day 42", null],
    ["abcdefgH", null],
    ["abcd1234", null],
    ["abcd-efg", null],
    ["écoleÉCOLE", null],
    ["ÉÈÀÙéèàù", null],
    ["пароль123", null],
    ["密码密码密码密码1!", null],
  ])("accepts %s, as the service does", (password, problem) => {
    expect(passwordProblem(password)).toBe(problem);
  });

  it("counts characters, not UTF-16 units, towards the minimum", () => {
    // Seven emoji are 14 UTF-16 units but 7 characters for the service.
    expect(passwordProblem("😀😀😀😀😀😀a")).toMatch(/at least 8 characters/);
  });

  it("refuses passwords of more than 72 bytes in UTF-8, even under 72 characters", () => {
    expect(passwordProblem(`${"a".repeat(70)}B1`)).toBeNull();
    expect(passwordProblem(`${"a".repeat(71)}B1`)).toMatch(/at most 72 bytes/);
    expect(passwordProblem("é".repeat(36) + "1")).toMatch(/at most 72 bytes/);
  });

  it.each(["abcdefgh", "ABCDEFGH", "12345678", "!!!!!!!!", "éèàùéèàù", "密码密码密码密码", "密码密码密码密码a"])(
    "refuses %s, which has only one kind of character",
    (password) => {
      expect(passwordProblem(password)).toMatch(/two kinds/);
    },
  );
});
