import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Lets two builds of one checkout coexist (e.g. parallel e2e runs while developing).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Dev and e2e servers are reached as 127.0.0.1 as well as localhost.
  allowedDevOrigins: ["127.0.0.1", "localhost"],
};

export default nextConfig;
