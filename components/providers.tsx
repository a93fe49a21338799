"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Toaster } from "sonner";
import { z } from "zod";

// Zod 4 probes once whether eval works (`Function("")`), to compile faster parsers; the pages'
// CSP refuses it and the browser reports a violation. Forms need no compiled parsers; the server
// (the publish path) keeps them.
if (typeof window !== "undefined") z.config({ jitless: true });

declare global {
  // Where react-style-singleton (behind Radix's dialogs) looks for a nonce for the <style> it
  // adds while a dialog is open; webpack's name, which Turbopack leaves to the page.
  var __webpack_nonce__: string | undefined;
}

export function Providers({ children, nonce }: { children: ReactNode; nonce?: string }) {
  if (typeof window !== "undefined" && nonce) globalThis.__webpack_nonce__ = nonce;
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 30_000, retry: 1 } } }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      {children}
      <Toaster richColors position="top-right" closeButton />
    </QueryClientProvider>
  );
}
