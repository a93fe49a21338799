import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Page not found" };

// Any URL no page answers (a mistyped or malformed path, an endpoint of another account).
export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm text-center">
        <p className="text-lg font-bold tracking-tight text-brand-700">DB24x7</p>
        <h1 className="mt-2 text-2xl font-semibold">Page not found</h1>
        <p className="mt-2 text-sm text-slate-600">There is nothing at this address, or it is not yours to see.</p>
        <Link
          href="/"
          className="mt-6 inline-flex items-center justify-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700"
        >
          Back to the dashboard
        </Link>
      </div>
    </main>
  );
}
