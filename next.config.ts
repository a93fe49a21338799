import type { NextConfig } from "next";
import { NON_PAGE_CSP, STATIC_SECURITY_HEADERS } from "./lib/security/headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Lets two builds of one checkout coexist (e.g. parallel e2e runs while developing).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Dev and e2e servers are reached as 127.0.0.1 as well as localhost.
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  // `npm test` runs `tsc --noEmit` over the whole project (tests and scripts included) just before
  // it builds, and says so here, so the build does not type-check a second time. Any other build
  // (`npm run build`, `npm start`) still type-checks and fails on a type error.
  typescript: { ignoreBuildErrors: process.env.DB24X7_TYPECHECKED === "1" },
  // Fixed at build time, on every answer without a cost per request. Pages get their nonce'd
  // policy and HSTS (which depends on NEXTAUTH_URL, read at run time) from proxy.ts.
  async headers() {
    return [
      { source: "/:path*", headers: STATIC_SECURITY_HEADERS },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: NON_PAGE_CSP }] },
      { source: "/metrics", headers: [{ key: "Content-Security-Policy", value: NON_PAGE_CSP }] },
      { source: "/_next/static/:path*", headers: [{ key: "Content-Security-Policy", value: NON_PAGE_CSP }] },
    ];
  },
};

export default nextConfig;
