import { NameDialog } from "./NameDialog";

/** "New folder": asks the name; `onCreate` makes the folder where the user is (a rejection shows in the dialog). */
export function NewFolderDialog({ onCreate, onClose }: { onCreate(name: string): Promise<unknown>; onClose(): void }) {
  return (
    <NameDialog
      title="New folder"
      label="Folder name"
      initial="Untitled folder"
      submitLabel="Create"
      onSubmit={onCreate}
      onClose={onClose}
    />
  );
}
