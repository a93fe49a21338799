"use client";

import { Check, Copy } from "lucide-react";
import { useCopy } from "@/components/ui/use-copy";

/** An id in monospace with a small copy button beside it. */
export function CopyId({ value, label = "ID" }: { value: string; label?: string }) {
  const { copied, copy } = useCopy(value);
  return (
    <span className="inline-flex max-w-full items-center gap-1">
      <code className="truncate font-mono text-xs text-slate-700" title={value}>
        {value}
      </code>
      <button
        type="button"
        onClick={copy}
        aria-label={copied ? `${label} copied` : `Copy ${label} ${value}`}
        title={copied ? "Copied" : `Copy ${label}`}
        className="shrink-0 rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
      >
        {copied ? <Check aria-hidden className="size-3.5 text-emerald-600" /> : <Copy aria-hidden className="size-3.5" />}
      </button>
    </span>
  );
}
