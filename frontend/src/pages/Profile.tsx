import { startTransition, useEffect, useState, type ReactNode } from "react";
import { useNavigate } from "react-router";
import { unwrap, usersApi } from "../api/client";
import { DeleteAccount } from "../components/DeleteAccount";
import { DownloadData } from "../components/DownloadData";
import { Notice } from "../components/Notice";
import { PasswordForm } from "../components/PasswordForm";
import { PersonalAccessTokens } from "../components/PersonalAccessTokens";
import { ProfileForm, type ProfileRead } from "../components/ProfileForm";
import { SessionList } from "../components/SessionList";
import { Spinner } from "../components/Spinner";
import { StorageSummary } from "../components/StorageSummary";
import { UsageBar } from "../components/UsageBar";
import { TwoFactorSettings } from "../components/TwoFactorSettings";
import { useSession } from "../session/SessionProvider";
import { useDocumentTitle } from "../lib/documentTitle";
import { useSubmit } from "../lib/useSubmit";

export function Profile() {
  useDocumentTitle("Profile");
  const [profile, setProfile] = useState<ProfileRead | null>(null);
  const { error, run: runLoad } = useSubmit();
  const { clear, logoutAll } = useSession();
  const navigate = useNavigate();

  useEffect(() => {
    void runLoad(async (signal) => setProfile(await unwrap(usersApi.GET("/api/v1/users/me", { signal }))));
  }, [runLoad]);

  async function handleSignedOutEverywhere() {
    await logoutAll();
    navigate("/login", { replace: true });
  }

  async function handleDeleted() {
    // Leave first, and sign out in the same (transition) render as the router's move: signed out
    // while still on /profile, RequireAuth would send people to the login page instead.
    await navigate("/", { replace: true });
    startTransition(clear);
  }

  return (
    <div className="mx-auto max-w-xl space-y-8">
      <div>
        <h1 className="text-2xl font-bold">Profile</h1>
        <StorageSummary usage={profile} />
        <UsageBar />
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {!profile && !error && <Spinner label="Loading your profile" />}
      {profile && (
        <>
          <Section title="Your details">
            <ProfileForm profile={profile} onSaved={setProfile} />
          </Section>
          <Section title="Password">
            <PasswordForm />
          </Section>
          <Section title="Two-factor sign-in">
            <TwoFactorSettings />
          </Section>
          <Section title="Sessions">
            <SessionList onSignedOutEverywhere={handleSignedOutEverywhere} />
          </Section>
          <Section title="Personal access tokens">
            <PersonalAccessTokens />
          </Section>
          <Section title="Your data">
            <DownloadData />
          </Section>
          <Section title="Delete account" danger>
            <DeleteAccount onDeleted={handleDeleted} />
          </Section>
        </>
      )}
    </div>
  );
}

function Section({ title, danger, children }: { title: string; danger?: boolean; children: ReactNode }) {
  return (
    <section
      className={`rounded-lg border bg-white p-6 dark:bg-slate-900 ${danger ? "border-red-200 dark:border-red-800" : "border-slate-200 dark:border-slate-700"}`}
    >
      <h2 className={`mb-4 text-lg font-semibold ${danger ? "text-red-700 dark:text-red-300" : ""}`}>{title}</h2>
      {children}
    </section>
  );
}
