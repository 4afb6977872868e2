import { useState, type FormEvent } from "react";
import { unwrap, usersApi } from "../api/client";
import type { components } from "../api/generated/users";
import { Button, GenderSelect, TextField, toGender } from "./Field";
import { Notice } from "./Notice";
import { useSubmit } from "../lib/useSubmit";

export type ProfileRead = components["schemas"]["ProfileRead"];

export function ProfileForm({ profile, onSaved }: { profile: ProfileRead; onSaved(profile: ProfileRead): void }) {
  const [username, setUsername] = useState(profile.username);
  const [gender, setGender] = useState(profile.gender ?? "");
  const [dateOfBirth, setDateOfBirth] = useState(profile.dateOfBirth ?? "");
  const { busy, result, run } = useSubmit();

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const saved = await unwrap(
        usersApi.PATCH("/api/v1/users/me", {
          body: { username, gender: toGender(gender), dateOfBirth: dateOfBirth || null },
        }),
      );
      onSaved(saved);
      return "Profile saved";
    });
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-4" aria-label="Profile details">
      <TextField label="Email" value={profile.email} readOnly disabled />
      <TextField
        label="Username"
        required
        maxLength={40}
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <GenderSelect value={gender} onChange={(e) => setGender(e.target.value)} />
      <TextField
        label="Date of birth"
        type="date"
        value={dateOfBirth}
        onChange={(e) => setDateOfBirth(e.target.value)}
      />
      {result && <Notice kind={result.kind}>{result.text}</Notice>}
      <Button type="submit" busy={busy}>
        Save changes
      </Button>
    </form>
  );
}
