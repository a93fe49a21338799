"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { NOTIFICATIONS_PATH, notificationsQuery } from "./queries";

/** The shell's bell: a link to the notifications with the caller's unread count. */
export function NotificationBell() {
  const { data } = useQuery(notificationsQuery());
  const unread = data?.unread_count ?? 0;
  const shown = unread >= 100 ? "99+" : String(unread);
  return (
    <Link
      href={NOTIFICATIONS_PATH}
      className="relative inline-flex size-8 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100"
      aria-label={unread > 0 ? `Notifications, ${shown} unread` : "Notifications"}
      data-testid="notification-bell"
    >
      <svg aria-hidden viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.8">
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" strokeLinecap="round" strokeLinejoin="round" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      {unread > 0 && (
        <span
          className="absolute -right-1 -top-1 min-w-4 rounded-full bg-red-600 px-1 text-center text-[10px] font-semibold leading-4 text-white"
          data-testid="notification-count"
        >
          {shown}
        </span>
      )}
    </Link>
  );
}
