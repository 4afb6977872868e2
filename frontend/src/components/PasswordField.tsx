import { useEffect, useId, useState, type InputHTMLAttributes, type ReactNode } from "react";
import { FieldHint, FieldLabel, hintId } from "./Field";
import { estimateStrength, STRENGTH_LABELS, type StrengthScore } from "../lib/strength";

const BAR_COLOURS: Record<StrengthScore, string> = {
  0: "bg-red-600",
  1: "bg-red-500",
  2: "bg-amber-500",
  3: "bg-lime-600",
  4: "bg-green-600",
};

/**
 * A password input with a show/hide toggle; with `meter`, a strength meter for choosing a new
 * one (`userInputs`: words an attacker would try first, such as the email and username).
 */
export function PasswordField({
  label,
  hint,
  meter = false,
  userInputs = [],
  value,
  ...props
}: {
  label: string;
  hint?: ReactNode;
  meter?: boolean;
  userInputs?: string[];
  value: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "type" | "value">) {
  const id = useId();
  const [visible, setVisible] = useState(false);
  const score = useStrength(meter ? value : "", userInputs);
  const describedBy = [hint ? hintId(id) : "", meter && value ? `${id}-strength` : ""].filter(Boolean).join(" ");

  return (
    <div>
      <FieldLabel htmlFor={id}>{label}</FieldLabel>
      <div className="mt-1 flex rounded-md shadow-sm">
        <input
          id={id}
          type={visible ? "text" : "password"}
          value={value}
          className="block w-full min-w-0 rounded-l-md border border-slate-300 bg-white px-3 py-2 text-slate-900 focus:border-indigo-500 disabled:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100"
          aria-describedby={describedBy || undefined}
          {...props}
        />
        <button
          type="button"
          onClick={() => setVisible((shown) => !shown)}
          aria-pressed={visible}
          aria-controls={id}
          className="rounded-r-md border border-l-0 border-slate-300 bg-slate-50 px-3 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-700 dark:text-slate-100"
        >
          {visible ? "Hide" : "Show"}
          <span className="sr-only"> {label.toLowerCase()}</span>
        </button>
      </div>
      <FieldHint controlId={id}>{hint}</FieldHint>
      {meter && value && score !== null && (
        <div id={`${id}-strength`} className="mt-2" aria-live="polite">
          <div className="flex gap-1" aria-hidden="true">
            {[0, 1, 2, 3].map((segment) => (
              <span
                key={segment}
                className={`h-1.5 flex-1 rounded ${segment < Math.max(score, 1) ? BAR_COLOURS[score] : "bg-slate-200 dark:bg-slate-700"}`}
              />
            ))}
          </div>
          <p className="mt-1 text-xs text-slate-700 dark:text-slate-300">
            Strength: {STRENGTH_LABELS[score]}
            {score < 3 && " — add another word or two that are not about you."}
          </p>
        </div>
      )}
    </div>
  );
}

function useStrength(password: string, userInputs: string[]): StrengthScore | null {
  const [result, setResult] = useState<{ password: string; score: StrengthScore } | null>(null);
  const inputsKey = userInputs.join("\n");
  useEffect(() => {
    if (!password) return;
    let current = true;
    estimateStrength(password, inputsKey.split("\n")).then((score) => {
      if (current) setResult({ password, score });
    });
    return () => {
      current = false;
    };
  }, [password, inputsKey]);
  return result && result.password === password ? result.score : null;
}
