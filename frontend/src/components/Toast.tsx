import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { isTyping } from "../lib/shortcuts";

export interface ToastOptions {
  message: string;
  /** A button on the toast, such as Undo. */
  action?: { label: string; run(): void };
  kind?: "info" | "error";
}

interface ToastEntry extends ToastOptions {
  id: number;
}

/** How long a toast stays: long enough to read it and reach its Undo. */
export const TOAST_MS = 8000;

const ToastContext = createContext<(toast: ToastOptions) => void>(() => {});
const ToastListContext = createContext<{ toasts: ToastEntry[]; dismiss(id: number): void }>({
  toasts: [],
  dismiss: () => {},
});

export function useToast() {
  return useContext(ToastContext);
}

/**
 * The toasts of the app. While one with an action (Undo) is up, Ctrl/Cmd+Z runs its action and F8
 * puts focus on it. With `docked`, the page places `<ToastViewport />` itself (the Layout's dock,
 * above the upload panel); otherwise the toasts show at the bottom of the window.
 */
export function ToastProvider({ children, docked = false }: { children: ReactNode; docked?: boolean }) {
  const [toasts, setToasts] = useState<ToastEntry[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((toast) => toast.id !== id)), []);
  const show = useCallback((toast: ToastOptions) => {
    const id = nextId.current++;
    setToasts((current) => [...current.slice(-2), { ...toast, id }]);
  }, []);
  useToastKeys(toasts, dismiss);
  const list = useMemo(() => ({ toasts, dismiss }), [toasts, dismiss]);
  return (
    <ToastContext.Provider value={show}>
      <ToastListContext.Provider value={list}>
        {children}
        {!docked && (
          <div className="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex flex-col items-center px-4">
            <ToastViewport />
          </div>
        )}
      </ToastListContext.Provider>
    </ToastContext.Provider>
  );
}

function useToastKeys(toasts: ToastEntry[], dismiss: (id: number) => void) {
  const latest = useRef(toasts);
  useEffect(() => {
    latest.current = toasts;
  });
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const toast = [...latest.current].reverse().find((candidate) => candidate.action);
      if (!toast?.action) return;
      const undo =
        (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "z";
      if (undo && !isTyping(event.target) && !document.querySelector("dialog[open]")) {
        event.preventDefault();
        toast.action.run();
        dismiss(toast.id);
      } else if (event.key === "F8") {
        event.preventDefault();
        document.querySelector<HTMLElement>(`[data-toast-id="${toast.id}"] [data-toast-action]`)?.focus();
      }
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [dismiss]);
}

/** Where the toasts show: a polite live region. */
export function ToastViewport() {
  const { toasts, dismiss } = useContext(ToastListContext);
  return (
    <div role="status" aria-live="polite" className="flex w-full flex-col items-center gap-2 sm:items-end">
      {toasts.map((toast) => (
        <Toast key={toast.id} toast={toast} onDismiss={() => dismiss(toast.id)} />
      ))}
    </div>
  );
}

function Toast({ toast, onDismiss }: { toast: ToastEntry; onDismiss(): void }) {
  // Paused while pointed at or focused, so that reaching Undo never races the timer.
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(onDismiss, TOAST_MS);
    return () => clearTimeout(timer);
  }, [onDismiss, paused]);
  return (
    <div
      data-testid="toast"
      data-toast-id={toast.id}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setPaused(false);
      }}
      className={`pointer-events-auto flex max-w-md items-center gap-4 rounded-md px-4 py-3 text-sm shadow-lg ${
        toast.kind === "error" ? "bg-red-700 text-white" : "bg-slate-800 text-white dark:bg-slate-700"
      }`}
    >
      <span>{toast.message}</span>
      {toast.action && (
        <button
          type="button"
          data-toast-action
          aria-keyshortcuts={toast.action.label === "Undo" ? "Control+Z Meta+Z" : undefined}
          title={toast.action.label === "Undo" ? "Undo (Ctrl+Z)" : undefined}
          className="font-semibold text-indigo-200 underline hover:text-white"
          onClick={() => {
            toast.action!.run();
            onDismiss();
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button type="button" aria-label="Dismiss" className="text-slate-300 hover:text-white" onClick={onDismiss}>
        ✕
      </button>
    </div>
  );
}
