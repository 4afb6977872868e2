import { Button } from "./Field";
import { Notice } from "./Notice";
import { Spinner } from "./Spinner";

interface ListStatusProps {
  loading?: boolean;
  error?: string | null;
  /** The last load failed because the network is down: it reloads by itself once back online. */
  offline?: boolean;
  onRetry?(): void;
}

/** A listing's loading spinner, or its failure with a Retry button. */
export function ListStatus({ loading, error, offline, onRetry }: ListStatusProps) {
  if (loading) {
    return (
      <div className="flex min-h-24 justify-center py-8">
        <Spinner label="Loading" />
      </div>
    );
  }
  if (!error) return null;
  return (
    <div className="space-y-2">
      <Notice kind="error">
        {error}
        {offline && " This page reloads by itself when the connection is back."}
      </Notice>
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          Retry
        </Button>
      )}
    </div>
  );
}

/** "Load more" under a listing; it also loads by itself as it scrolls into view. */
ListStatus.More = function LoadMore({ busy, onMore }: { busy: boolean; onMore(): void }) {
  return (
    <div
      className="mt-3 flex justify-center"
      ref={(element) => {
        if (!element || typeof IntersectionObserver === "undefined") return;
        const observer = new IntersectionObserver((entries) => {
          if (entries.some((entry) => entry.isIntersecting)) onMore();
        });
        observer.observe(element);
        return () => observer.disconnect();
      }}
    >
      <Button variant="secondary" busy={busy} onClick={onMore}>
        Load more
      </Button>
    </div>
  );
};
