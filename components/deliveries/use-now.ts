"use client";

import { useEffect, useState } from "react";

/**
 * The current time, ticking every `intervalMs`; null during server rendering and hydration, so
 * time-dependent text (and the viewer's time zone) never differs between server and browser.
 */
export function useNow(intervalMs = 1000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** True once `ms` have passed since `startedAt` (a Date.now()); false while it is null. */
export function useTimedOut(ms: number, startedAt: number | null): boolean {
  const [expired, setExpired] = useState<number | null>(null);
  useEffect(() => {
    if (startedAt === null) return;
    const timer = setTimeout(() => setExpired(startedAt), Math.max(0, startedAt + ms - Date.now()));
    return () => clearTimeout(timer);
  }, [ms, startedAt]);
  return startedAt !== null && expired === startedAt;
}
