import { ensureConsoleBuild } from '../scripts/ensure-build.mjs';

/** The browser tests need the built console; build it once when it is missing or stale. */
export default function setup() {
  ensureConsoleBuild({ quiet: true });
}
