const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Natural, case-insensitive order for names, as the server sorts: `file2` before `file10`. */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b);
}
