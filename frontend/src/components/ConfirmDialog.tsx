import { Button } from "./Field";
import { Modal } from "./Modal";

interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
  /** Where focus goes if what opened the dialog is gone once it closes. */
  fallbackFocus?: () => HTMLElement | null;
}

/** A modal question. Focus starts on Cancel, Escape cancels. */
export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  busy,
  onConfirm,
  onCancel,
  fallbackFocus,
}: ConfirmDialogProps) {
  return (
    <Modal title={title} onClose={onCancel} fallbackFocus={fallbackFocus}>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">{message}</p>
      <div className="mt-6 flex justify-end gap-2">
        {/* eslint-disable-next-line jsx-a11y/no-autofocus -- a dialog's first focus is its safe choice */}
        <Button autoFocus variant="secondary" type="button" onClick={onCancel}>
          Cancel
        </Button>
        <Button variant="danger" type="button" busy={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}
