/// <reference types="node" />
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem } from "./password";

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
    expect(MAX_PASSWORD_LENGTH).toBe(serviceConstant("MAX_PASSWORD_LENGTH"));
  });

  it.each([
    "Sunny day 42",
    "alllowercaseletters",
    "123456789012",
    "écoleÉCOLEéc",
    "密码密码密码密码密码密码",
    "a".repeat(128),
  ])("accepts %s: no composition rules, as the service", (password) => {
    expect(passwordProblem(password)).toBeNull();
  });

  it("counts characters, not UTF-16 units", () => {
    // Eleven emoji are 22 UTF-16 units but 11 characters for the service.
    expect(passwordProblem("😀".repeat(11))).toMatch(/at least 12 characters/);
    expect(passwordProblem("😀".repeat(12))).toBeNull();
    expect(passwordProblem("😀".repeat(129))).toMatch(/at most 128 characters/);
  });
});
