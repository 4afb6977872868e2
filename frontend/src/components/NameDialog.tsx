import { useState, type FormEvent } from "react";
import { Button, TextField } from "./Field";
import { Modal } from "./Modal";
import { Notice } from "./Notice";
import { useSubmit } from "../lib/useSubmit";

interface NameDialogProps {
  title: string;
  label: string;
  initial: string;
  submitLabel: string;
  /** Saves the name; a rejection shows its message and keeps the dialog open. */
  onSubmit(name: string): Promise<unknown>;
  onClose(): void;
}

/** Names a new folder or renames an item; the base name is preselected, as in a file manager. */
export function NameDialog({ title, label, initial, submitLabel, onSubmit, onClose }: NameDialogProps) {
  const [name, setName] = useState(initial);
  const { busy, error, run, fail } = useSubmit();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      fail("Enter a name.");
      return;
    }
    if (await run(async () => void (await onSubmit(trimmed)))) onClose();
  }

  return (
    <Modal title={title} onClose={onClose}>
      <form onSubmit={submit} className="mt-4 space-y-4" noValidate>
        <TextField
          label={label}
          value={name}
          maxLength={255}
          // eslint-disable-next-line jsx-a11y/no-autofocus -- the dialog exists to type this name
          autoFocus
          onFocus={(event) => {
            const dot = initial.lastIndexOf(".");
            event.target.setSelectionRange(0, dot > 0 ? dot : initial.length);
          }}
          onChange={(event) => setName(event.target.value)}
        />
        {error && <Notice kind="error">{error}</Notice>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" type="button" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" busy={busy}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
