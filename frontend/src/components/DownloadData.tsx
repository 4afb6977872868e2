import { collectAccountData } from "../lib/exportData";
import { useSubmit } from "../lib/useSubmit";
import { Button } from "./Field";
import { Notice } from "./Notice";

/** "Download your data": the account's profile, sessions, file list and activity as one JSON file. */
export function DownloadData() {
  const { busy, error, run } = useSubmit();

  async function download() {
    await run(async () => {
      const data = await collectAccountData();
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `scloud-data-${new Date().toISOString().slice(0, 10)}.json`;
      link.click();
      // The click has handed the blob to the download by now.
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
  }

  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Your profile, sessions, two-factor status, the list of your files and folders (the trash included) and your
        activity, as one JSON file. To take the files themselves, select them and download them as a ZIP.
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      <Button type="button" variant="secondary" busy={busy} onClick={download}>
        Download your data
      </Button>
    </div>
  );
}
