import type { ReactNode } from "react";
import { NotificationBell } from "@/components/notifications/notification-bell";
import { AppNav } from "@/components/shell/app-nav";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { requirePageCaller } from "@/lib/auth/session";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const caller = await requirePageCaller();
  const account = await db.account.findUniqueOrThrow({ where: { id: caller.accountId } });
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-60 shrink-0 flex-col border-r border-slate-200 bg-white">
        <div className="flex items-start justify-between gap-2 border-b border-slate-200 px-5 py-4">
          <div className="min-w-0">
            <p className="text-lg font-bold tracking-tight text-brand-700">DB24x7</p>
            <p className="truncate text-xs text-slate-500" title={account.name}>
              {account.name}
            </p>
          </div>
          <NotificationBell />
        </div>
        <AppNav />
        <div className="mt-auto border-t border-slate-200 px-5 py-4 text-xs text-slate-600">
          <p className="truncate" title={caller.actor.label}>
            {caller.actor.label}
          </p>
          <p className="mb-2 capitalize" data-testid="current-role">
            {caller.role}
          </p>
          <SignOutButton />
        </div>
      </aside>
      <main className="min-w-0 flex-1 px-8 py-8">{children}</main>
    </div>
  );
}
