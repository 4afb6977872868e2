import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import usersDocument from "../../openapi/users.json?raw";
import { Button, GENDER_OPTIONS } from "./Field";

function genderEnum(document: string, schema: string): string[] {
  const gender = JSON.parse(document).components.schemas[schema].properties.gender;
  return gender.anyOf.flatMap((option: { enum?: string[] }) => option.enum ?? []);
}

describe("Button", () => {
  it("keeps the caller's classes", () => {
    render(<Button className="w-full">Log in</Button>);
    expect(screen.getByRole("button", { name: "Log in" })).toHaveClass("w-full", "rounded-md");
  });

  it("is disabled and marked busy while busy", () => {
    render(<Button busy>Save</Button>);
    const button = screen.getByRole("button", { name: "Save" });
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute("aria-busy", "true");
  });
});

describe("GENDER_OPTIONS", () => {
  it("offers exactly the genders the users service accepts, plus no answer", () => {
    const offered = GENDER_OPTIONS.map((option) => option.value);
    expect(offered[0]).toBe("");
    const genders = offered.slice(1).sort();
    expect(genderEnum(usersDocument, "ProfileUpdate").sort()).toEqual(genders);
  });
});
