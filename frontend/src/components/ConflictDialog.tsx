import { Button } from "./Field";
import { Modal } from "./Modal";
import type { ConflictChoice } from "../lib/uploadQueue";

interface ConflictDialogProps {
  /** The names the folder holds already: an upload's one, or those of several items copied. */
  names: string[];
  onChoose(choice: ConflictChoice): void;
  /** An upload may replace the item holding its name; a copy, like a move, keeps both or skips. */
  arriving?: "upload" | "copy";
}

function wordingOf(names: string[], arriving: "upload" | "copy") {
  const [first] = names;
  if (arriving === "upload") {
    return {
      title: `${first} already exists`,
      message: `This folder already has an item named ${first}. Replace it (the old file goes to the trash) or keep both (the new one gets a numbered name)?`,
      skip: "Skip this file",
    };
  }
  if (names.length === 1) {
    return {
      title: `${first} already exists`,
      message: `This folder already has an item named ${first}. Keep both (the copy gets a numbered name) or skip it?`,
      skip: "Skip it",
    };
  }
  return {
    title: `${names.length} items already exist`,
    message: `This folder already has items named ${names.join(", ")}. Keep both (the copies get numbered names) or skip them?`,
    skip: "Skip them",
  };
}

/** Asks what to do with an upload or copies whose names the folder holds already. */
export function ConflictDialog({ names, onChoose, arriving = "upload" }: ConflictDialogProps) {
  const { title, message, skip } = wordingOf(names, arriving);
  return (
    <Modal title={title} onClose={() => onChoose("cancel")}>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">{message}</p>
      <div className="mt-6 flex flex-wrap justify-end gap-2">
        <Button variant="secondary" type="button" onClick={() => onChoose("cancel")}>
          {skip}
        </Button>
        {/* eslint-disable-next-line jsx-a11y/no-autofocus -- keeping both loses nothing: the safe first choice */}
        <Button autoFocus variant="secondary" type="button" onClick={() => onChoose("rename")}>
          Keep both
        </Button>
        {arriving === "upload" && (
          <Button variant="primary" type="button" onClick={() => onChoose("replace")}>
            Replace
          </Button>
        )}
      </div>
    </Modal>
  );
}
