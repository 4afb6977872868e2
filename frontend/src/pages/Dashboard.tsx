import { useCallback, useEffect, useState } from "react";
import { filesApi, unwrap, usersApi } from "../api/client";
import { messageOf } from "../api/errors";
import type { FileRead } from "../api/upload";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { FileTable } from "../components/FileTable";
import { Button } from "../components/Field";
import { Notice } from "../components/Notice";
import { Spinner } from "../components/Spinner";
import { StorageSummary } from "../components/StorageSummary";
import { UploadDropzone } from "../components/UploadDropzone";

const PAGE_SIZE = 50;

function fetchPage(cursor: string | null) {
  return unwrap(filesApi.GET("/api/files", { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } }));
}

export function Dashboard() {
  const [files, setFiles] = useState<FileRead[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [limit, setLimit] = useState<number | null>(null);
  const [usage, setUsage] = useState<{ storageUsed: number; fileCount: number } | null>(null);
  const [pendingDelete, setPendingDelete] = useState<FileRead | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [downloading, setDownloading] = useState<string | null>(null);

  const refreshUsage = useCallback(() => {
    unwrap(usersApi.GET("/api/users/me"))
      .then((profile) => setUsage({ storageUsed: profile.storageUsed, fileCount: profile.fileCount }))
      .catch(() => setUsage(null));
  }, []);

  useEffect(() => {
    fetchPage(null)
      .then((page) => {
        setFiles(page.files);
        setNextCursor(page.nextCursor ?? null);
      })
      .catch((reason) => setError(messageOf(reason)))
      .finally(() => setLoading(false));
    unwrap(filesApi.GET("/api/files/limits"))
      .then((limits) => setLimit(limits.maxUploadBytes))
      .catch(() => setLimit(null));
    refreshUsage();
  }, [refreshUsage]);

  async function loadMore() {
    setLoadingMore(true);
    setError(null);
    try {
      const page = await fetchPage(nextCursor);
      setFiles((current) => [...current, ...page.files]);
      setNextCursor(page.nextCursor ?? null);
    } catch (reason) {
      setError(messageOf(reason));
    } finally {
      setLoadingMore(false);
    }
  }

  const handleUploaded = useCallback(
    (file: FileRead) => {
      setFiles((current) => [file, ...current.filter((existing) => existing.fileId !== file.fileId)]);
      refreshUsage();
    },
    [refreshUsage],
  );

  async function download(file: FileRead) {
    setDownloading(file.fileId);
    setError(null);
    try {
      const link = await unwrap(
        filesApi.GET("/api/files/{file_id}/download", { params: { path: { file_id: file.fileId } } }),
      );
      // The signed link answers with Content-Disposition: attachment, so the page stays put.
      const anchor = document.createElement("a");
      anchor.href = link.url;
      anchor.rel = "noopener";
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
    } catch (reason) {
      setError(`Could not download ${file.fileName}: ${messageOf(reason)}`);
    } finally {
      setDownloading(null);
    }
  }

  async function confirmDelete() {
    if (!pendingDelete) return;
    setDeleting(true);
    setError(null);
    try {
      await unwrap(filesApi.DELETE("/api/files/{file_id}", { params: { path: { file_id: pendingDelete.fileId } } }));
      setFiles((current) => current.filter((file) => file.fileId !== pendingDelete.fileId));
      refreshUsage();
      setPendingDelete(null);
    } catch (reason) {
      setError(`Could not delete ${pendingDelete.fileName}: ${messageOf(reason)}`);
      setPendingDelete(null);
    } finally {
      setDeleting(false);
    }
  }

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h1 className="text-2xl font-bold">Your files</h1>
        {usage && <StorageSummary {...usage} />}
      </div>
      <UploadDropzone maxUploadBytes={limit} onUploaded={handleUploaded} />
      {error && <Notice kind="error">{error}</Notice>}
      {loading ? (
        <div className="flex justify-center py-8">
          <Spinner label="Loading your files" />
        </div>
      ) : files.length === 0 ? (
        <div className="rounded-lg border border-slate-200 bg-white px-6 py-12 text-center">
          <p className="text-lg font-medium">No files yet</p>
          <p className="mt-1 text-sm text-slate-600">Drop a file above or choose one to upload your first file.</p>
        </div>
      ) : (
        <>
          <FileTable files={files} downloading={downloading} onDownload={download} onDelete={setPendingDelete} />
          {nextCursor && (
            <div className="flex justify-center">
              <Button variant="secondary" busy={loadingMore} onClick={loadMore}>
                Load more
              </Button>
            </div>
          )}
        </>
      )}
      {pendingDelete && (
        <ConfirmDialog
          title={`Delete ${pendingDelete.fileName}?`}
          message="The file will be gone for good. This cannot be undone."
          confirmLabel="Delete"
          busy={deleting}
          onConfirm={confirmDelete}
          onCancel={() => setPendingDelete(null)}
        />
      )}
    </div>
  );
}
