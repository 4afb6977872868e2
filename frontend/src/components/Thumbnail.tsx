import { useEffect, useRef, useState } from "react";
import type { Item } from "../api/drive";
import { fileTypeOf } from "../lib/fileType";
import { useNearViewport } from "../lib/nearViewport";
import { thumbnailLink } from "../lib/thumbnailLinks";
import { ItemIcon } from "./ItemIcon";

/**
 * A tile's picture in a square box of fixed size: the small thumbnail of an image that has one,
 * asked for only once the box is near the viewport; the type's icon for anything else, while the
 * thumbnail loads, and when it cannot be had.
 */
export function Thumbnail({ item }: { item: Item }) {
  const { id, modifiedAt } = item;
  const box = useRef<HTMLDivElement>(null);
  const wanted = item.kind === "file" && item.thumbnail === "ready";
  const near = useNearViewport(box, wanted);
  const [url, setUrl] = useState<string | null>(null);
  const [state, setState] = useState<"loading" | "loaded" | "failed">("loading");

  useEffect(() => {
    if (!wanted || !near) return;
    let current = true;
    thumbnailLink({ id, modifiedAt }, "small").then(
      (link) => current && setUrl(link),
      () => current && setState("failed"),
    );
    return () => {
      current = false;
    };
  }, [wanted, near, id, modifiedAt]);

  return (
    <div
      ref={box}
      data-thumbnail={item.kind === "file" ? item.thumbnail : undefined}
      className="relative flex aspect-square w-full items-center justify-center overflow-hidden rounded-t-lg bg-slate-100 dark:bg-slate-800"
    >
      {state !== "loaded" && <ItemIcon family={fileTypeOf(item).family} large />}
      {url && state !== "failed" && (
        <img
          src={url}
          alt={item.name}
          draggable={false}
          decoding="async"
          onLoad={() => setState("loaded")}
          onError={() => setState("failed")}
          className={`absolute inset-0 h-full w-full object-cover ${state === "loaded" ? "" : "opacity-0"}`}
        />
      )}
    </div>
  );
}
