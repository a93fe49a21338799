import type { ReactNode } from "react";

/** A scrollable, labelled block of code (payloads, headers, response bodies). */
export function CodeBlock({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <pre
      aria-label={label}
      tabIndex={0}
      data-testid={testId}
      className="max-h-80 overflow-auto whitespace-pre-wrap break-all rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-xs leading-relaxed text-slate-800"
    >
      {children}
    </pre>
  );
}

/** HTTP headers as a two-column list. */
export function HeadersList({ headers, label }: { headers: Record<string, string>; label: string }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return <p className="text-xs text-slate-500">No headers.</p>;
  return (
    <dl
      aria-label={label}
      className="grid grid-cols-[minmax(8rem,max-content)_1fr] gap-x-4 gap-y-1 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-xs"
    >
      {entries.map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="text-slate-500">{name}</dt>
          <dd className="break-all text-slate-800">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
