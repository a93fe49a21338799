import type { EndpointOutput } from "@/lib/webhooks/schemas";

const base = "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium";

const ENVIRONMENT_STYLE: Record<EndpointOutput["environment"], string> = {
  production: "bg-brand-50 text-brand-700 ring-brand-600/20",
  staging: "bg-amber-50 text-amber-800 ring-amber-600/20",
  development: "bg-violet-50 text-violet-700 ring-violet-600/20",
};

export function EnvironmentBadge({ environment }: { environment: EndpointOutput["environment"] }) {
  return <span className={`${base} capitalize ring-1 ${ENVIRONMENT_STYLE[environment]}`}>{environment}</span>;
}

export function formatSuccessRate(rate: number | null): string {
  if (rate === null) return "—";
  const percent = rate * 100;
  return `${percent === 100 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}
