"use client";

import { CopyButton } from "@/components/ui/copy-button";

/** A signing secret shown in full, with a copy button. */
export function SecretDisplay({ secret, label = "Signing secret" }: { secret: string; label?: string }) {
  return (
    <div className="flex items-center gap-2">
      <code
        data-testid="signing-secret"
        aria-label={label}
        className="block min-w-0 flex-1 overflow-x-auto whitespace-nowrap rounded bg-slate-100 px-3 py-2 font-mono text-xs"
      >
        {secret}
      </code>
      <CopyButton value={secret} />
    </div>
  );
}
