"use client";

import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button
      type="button"
      onClick={() => void signOut({ callbackUrl: "/login" })}
      className="font-medium text-brand-700 hover:underline"
    >
      Sign out
    </button>
  );
}
