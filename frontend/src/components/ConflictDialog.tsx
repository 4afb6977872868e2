import { Button } from "./Field";
import { Modal } from "./Modal";
import type { ConflictChoice } from "../lib/uploadQueue";

/** Asks what to do with an upload whose name the folder holds already. */
export function ConflictDialog({ name, onChoose }: { name: string; onChoose(choice: ConflictChoice): void }) {
  return (
    <Modal title={`${name} already exists`} onClose={() => onChoose("cancel")}>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
        This folder already has an item named {name}. Replace it (the old file goes to the trash) or keep both (the new
        one gets a numbered name)?
      </p>
      <div className="mt-6 flex flex-wrap justify-end gap-2">
        <Button variant="secondary" type="button" onClick={() => onChoose("cancel")}>
          Skip this file
        </Button>
        {/* eslint-disable-next-line jsx-a11y/no-autofocus -- keeping both loses nothing: the safe first choice */}
        <Button autoFocus variant="secondary" type="button" onClick={() => onChoose("rename")}>
          Keep both
        </Button>
        <Button variant="primary" type="button" onClick={() => onChoose("replace")}>
          Replace
        </Button>
      </div>
    </Modal>
  );
}
