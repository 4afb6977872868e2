import { useEffect, useState, type RefObject } from "react";

/** How far outside the window an element counts as near: its image starts loading before it scrolls in. */
export const NEAR_MARGIN = "300px";

/**
 * True once `ref`'s element has come within NEAR_MARGIN of the viewport (and from then on), while
 * `enabled`. Without IntersectionObserver, true at once.
 */
export function useNearViewport(ref: RefObject<Element | null>, enabled = true): boolean {
  const [near, setNear] = useState(() => typeof IntersectionObserver === "undefined");
  useEffect(() => {
    const element = ref.current;
    if (!enabled || near || !element || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          setNear(true);
          observer.disconnect();
        }
      },
      { rootMargin: NEAR_MARGIN },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, enabled, near]);
  return near;
}
