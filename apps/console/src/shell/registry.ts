import { allows, type ConsolePermission } from '../shared/access.ts';
import type { FeatureDef } from './feature.ts';

/** Features the user may use, in menu order. */
export function visibleFeatures(
  all: readonly FeatureDef[],
  perms: ReadonlySet<ConsolePermission>,
): FeatureDef[] {
  return all.filter((f) => allows(perms, f.permission)).sort((a, b) => a.order - b.order);
}

/** Every folder under src/features with a feature.ts: adding a capability needs nothing else. */
export function loadFeatures(): FeatureDef[] {
  const modules = import.meta.glob<{ feature: FeatureDef }>('../features/*/feature.ts', { eager: true });
  return Object.values(modules).map((m) => m.feature);
}

/** The first page a user should land on: the first visible menu entry. */
export function homePath(features: readonly FeatureDef[]): string {
  return features.find((f) => f.menu)?.menu?.path ?? '/';
}
