export function consoleBuildStale(): boolean;
export function ensureConsoleBuild(opts?: { quiet?: boolean }): void;
