import { useEffect, useId, useRef, useState, type ReactNode } from "react";

interface ModalProps {
  title: string;
  children: ReactNode;
  onClose(): void;
  /** Where focus goes when the dialog closes if the element that opened it is gone. */
  fallbackFocus?: () => HTMLElement | null;
  wide?: boolean;
  /** Keys the dialog handles itself (arrow keys in a preview, say). */
  onKeyDown?(event: React.KeyboardEvent<HTMLDialogElement>): void;
}

/**
 * A modal on the native <dialog>: showModal() makes the page behind it inert, keeps Tab
 * inside and closes on Escape. Focus goes back to what opened it.
 */
export function Modal({ title, children, onClose, fallbackFocus, wide, onKeyDown }: ModalProps) {
  const titleId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  // Read while rendering: by the time effects run, an autofocused field inside holds focus.
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  const close = useRef(onClose);
  const fallback = useRef(fallbackFocus);
  useEffect(() => {
    close.current = onClose;
    fallback.current = fallbackFocus;
  });

  useEffect(() => {
    const dialog = ref.current!;
    if (typeof dialog.showModal === "function") {
      if (!dialog.open) dialog.showModal();
    } else dialog.setAttribute("open", "");
    const onCancel = (event: Event) => {
      event.preventDefault();
      close.current();
    };
    dialog.addEventListener("cancel", onCancel);
    return () => {
      dialog.removeEventListener("cancel", onCancel);
      if (dialog.open && typeof dialog.close === "function") dialog.close();
      // After React has removed the dialog and updated the page underneath.
      setTimeout(() => {
        const target = opener && opener.isConnected ? opener : fallback.current?.();
        target?.focus();
      });
    };
  }, [opener]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onKeyDown={(event) => {
        if (event.key === "Escape" && typeof ref.current?.showModal !== "function") {
          event.preventDefault();
          onClose();
        }
        onKeyDown?.(event);
      }}
      className={`m-auto w-[calc(100%-2rem)] rounded-lg bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100 ${
        wide ? "max-w-4xl" : "max-w-md"
      }`}
    >
      <h2 id={titleId} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
