import type { MouseEvent } from "react";

interface SelectCheckboxProps {
  name: string;
  checked: boolean;
  onToggle: (shiftKey: boolean) => void;
}

/** The box that selects one item of a list. It acts on click, not on change, because only the
 * click knows whether Shift was held (which selects the range up to it); its checked state comes
 * from the selection alone. */
export function SelectCheckbox({ name, checked, onToggle }: SelectCheckboxProps) {
  return (
    <input
      type="checkbox"
      aria-label={`Select ${name}`}
      checked={checked}
      onChange={() => {}}
      onClick={(event: MouseEvent<HTMLInputElement>) => onToggle(event.shiftKey)}
      className="h-4 w-4 accent-indigo-600"
    />
  );
}
