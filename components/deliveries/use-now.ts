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
