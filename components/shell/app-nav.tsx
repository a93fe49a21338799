"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { items: [{ href: "/", label: "Dashboard" }] },
  {
    heading: "Settings",
    items: [
      { href: "/settings/integrations/webhooks", label: "Webhooks", group: "Integrations" },
      { href: "/settings/api-keys", label: "API keys" },
      { href: "/settings/notifications", label: "Notifications" },
      { href: "/settings/retention", label: "Data retention" },
    ],
  },
  { items: [{ href: "/docs", label: "Docs" }] },
];

export function AppNav() {
  const pathname = usePathname();
  const isActive = (href: string) => (href === "/" ? pathname === "/" : pathname.startsWith(href));
  return (
    <nav aria-label="Main" className="flex-1 space-y-6 px-3 py-4 text-sm">
      {SECTIONS.map((section, i) => (
        <div key={i}>
          {section.heading && (
            <p className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-400">
              {section.heading}
            </p>
          )}
          <ul className="space-y-0.5">
            {section.items.map((item) => (
              <li key={item.href}>
                <Link
                  href={item.href}
                  aria-current={isActive(item.href) ? "page" : undefined}
                  className={`block rounded-md px-2 py-1.5 ${
                    isActive(item.href)
                      ? "bg-brand-50 font-medium text-brand-700"
                      : "text-slate-700 hover:bg-slate-100"
                  }`}
                >
                  {"group" in item && item.group ? (
                    <>
                      <span className="text-slate-400">{item.group} → </span>
                      {item.label}
                    </>
                  ) : (
                    item.label
                  )}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
