"use client";

import { useState } from "react";
import { toast } from "sonner";

/** Copies to the clipboard; `copied` is true for two seconds after, for the button's feedback. */
export function useCopy(value: string) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      toast.error("Copy failed: select the text and copy it by hand.");
    }
  }
  return { copied, copy };
}
