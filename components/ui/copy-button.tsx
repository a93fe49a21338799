"use client";

import { Button } from "./button";
import { useCopy } from "./use-copy";

export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const { copied, copy } = useCopy(value);
  return (
    <Button type="button" variant="secondary" onClick={copy} aria-live="polite">
      {copied ? "Copied" : label}
    </Button>
  );
}
