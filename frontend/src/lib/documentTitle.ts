import { useEffect } from "react";

/** Sets the tab's title while a page is shown: "Files · Projects — SCloud". */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} — SCloud` : "SCloud";
  }, [title]);
}
