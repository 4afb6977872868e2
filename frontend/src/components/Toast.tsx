import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

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

export function useToast() {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastEntry[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((toast) => toast.id !== id)), []);
  const show = useCallback((toast: ToastOptions) => {
    const id = nextId.current++;
    setToasts((current) => [...current.slice(-2), { ...toast, id }]);
  }, []);
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div
        role="status"
        aria-live="polite"
        className="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex flex-col items-center gap-2 px-4"
      >
        {toasts.map((toast) => (
          <Toast key={toast.id} toast={toast} onDismiss={() => dismiss(toast.id)} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function Toast({ toast, onDismiss }: { toast: ToastEntry; onDismiss(): void }) {
  useEffect(() => {
    const timer = setTimeout(onDismiss, TOAST_MS);
    return () => clearTimeout(timer);
  }, [onDismiss]);
  return (
    <div
      data-testid="toast"
      className={`pointer-events-auto flex max-w-md items-center gap-4 rounded-md px-4 py-3 text-sm shadow-lg ${
        toast.kind === "error" ? "bg-red-700 text-white" : "bg-slate-800 text-white dark:bg-slate-700"
      }`}
    >
      <span>{toast.message}</span>
      {toast.action && (
        <button
          type="button"
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
