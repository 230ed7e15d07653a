/** @type {import('next').NextConfig} */
const nextConfig = {
  // e2e/consumers/run.ts builds the app twice (Turbopack, webpack) side by side.
  distDir: process.env.NEXT_DIST_DIR || '.next',
};

export default nextConfig;
