"use client";

import { getCsrfToken } from "next-auth/react";
import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { safeCallbackPath } from "@/lib/auth/callback-url";

// Only same-site paths are followed after sign-in, never another origin: judged after parsing
// the value as this browser will (lib/auth/callback-url.ts).
function safeCallback(value: string | null): string {
  return safeCallbackPath(value, window.location.origin);
}

const WRONG_CREDENTIALS = "That email and password do not match an account.";

/**
 * Posts the credentials to next-auth (as its signIn does) and returns the error to show, or
 * null once signed in. Posted here because next-auth/react's signIn cannot read the throttle's
 * 429 answer, whose message says when to try again.
 */
async function submitCredentials(email: string, password: string): Promise<string | null> {
  const csrfToken = (await getCsrfToken()) ?? "";
  const res = await fetch("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, csrfToken, json: "true" }),
  });
  const body = (await res.json().catch(() => null)) as { url?: unknown; error?: { message?: unknown } } | null;
  if (res.status === 429) {
    return typeof body?.error?.message === "string" ? body.error.message : "Too many failed sign-in attempts. Try again later.";
  }
  // next-auth answers with where it would redirect: back to sign-in (`error=…`, or `csrf=true`) on failure.
  const url = typeof body?.url === "string" ? new URL(body.url, window.location.href) : null;
  if (!res.ok || !url || url.searchParams.has("error") || url.searchParams.has("csrf")) return WRONG_CREDENTIALS;
  return null;
}

export function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const failure = await submitCredentials(String(form.get("email") ?? ""), String(form.get("password") ?? ""));
      if (failure) {
        setError(failure);
        return;
      }
      router.replace(safeCallback(params.get("callbackUrl")));
      router.refresh();
    } catch {
      setError("Could not reach the server. Try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <Card className="p-6">
      <form onSubmit={onSubmit} className="space-y-4" noValidate={false}>
        {error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
            {error}
          </p>
        )}
        <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        <Button type="submit" className="w-full" pending={pending}>
          Sign in
        </Button>
      </form>
    </Card>
  );
}
