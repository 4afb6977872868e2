import { useId, type ComponentProps, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";
import type { components } from "../api/generated/users";

const controlClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm " +
  "focus:border-indigo-500 disabled:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:disabled:bg-slate-900";

/** A form control's label, in the one style every field uses. */
export function FieldLabel({ htmlFor, children }: { htmlFor: string; children: ReactNode }) {
  return (
    <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-700 dark:text-slate-300">
      {children}
    </label>
  );
}

/** A control's hint, with the id its `aria-describedby` names (`hintId`). */
export function FieldHint({ controlId, children }: { controlId: string; children?: ReactNode }) {
  if (!children) return null;
  return (
    <p id={hintId(controlId)} className="mt-1 text-xs text-slate-500 dark:text-slate-400">
      {children}
    </p>
  );
}

export const hintId = (controlId: string) => `${controlId}-hint`;

export function TextField({
  label,
  hint,
  ...props
}: { label: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div>
      <FieldLabel htmlFor={id}>{label}</FieldLabel>
      <input id={id} className={controlClass} aria-describedby={hint ? hintId(id) : undefined} {...props} />
      <FieldHint controlId={id}>{hint}</FieldHint>
    </div>
  );
}

export type Gender = NonNullable<components["schemas"]["ProfileUpdate"]["gender"]>;

// Keyed by the users service's enum (from its OpenAPI document), so a gender added or removed
// there fails the type check here until it gets a label.
const GENDER_LABELS: Record<Gender, string> = {
  female: "Female",
  male: "Male",
  other: "Other",
  prefer_not_to_say: "Prefer not to say",
};

/** The select's value as the API takes it: a known gender, or null for no answer. */
export function toGender(value: string): Gender | null {
  return Object.hasOwn(GENDER_LABELS, value) ? (value as Gender) : null;
}

export const GENDER_OPTIONS = [
  { value: "", label: "Prefer not to answer" },
  ...Object.entries(GENDER_LABELS).map(([value, label]) => ({ value, label })),
];

export function GenderSelect({ hint, ...props }: { hint?: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div>
      <FieldLabel htmlFor={id}>Gender</FieldLabel>
      <select id={id} className={controlClass} aria-describedby={hint ? hintId(id) : undefined} {...props}>
        {GENDER_OPTIONS.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
    </div>
  );
}

export function Button({
  busy,
  variant = "primary",
  children,
  className = "",
  ...props
}: { busy?: boolean; variant?: "primary" | "secondary" | "danger" } & ComponentProps<"button">) {
  const styles = {
    primary: "bg-indigo-600 text-white hover:bg-indigo-500",
    secondary:
      "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800",
    danger: "bg-red-600 text-white hover:bg-red-500",
  }[variant];
  return (
    <button
      {...props}
      className={`inline-flex items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-semibold shadow-sm disabled:cursor-not-allowed disabled:opacity-60 ${styles} ${className}`}
      disabled={busy || props.disabled}
      aria-busy={busy || undefined}
    >
      {busy && (
        <span
          aria-hidden="true"
          className="h-4 w-4 animate-spin rounded-full border-2 border-white/40 border-t-white"
        />
      )}
      {children}
    </button>
  );
}
