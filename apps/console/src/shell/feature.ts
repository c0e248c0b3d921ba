import type { ComponentType, LazyExoticComponent } from 'react';
import type { ConsolePermission } from '../shared/access.ts';

/**
 * One capability of the console. A feature is a folder under src/features/ with a `feature.ts`
 * exporting `feature`; the registry finds it, puts its menu entry in the side bar and mounts its
 * routes — for users whose permissions include `permission`.
 */
export interface FeatureDef {
  key: string;
  /** Position in the menu (smaller first). */
  order: number;
  permission: ConsolePermission | readonly ConsolePermission[];
  menu?: {
    path: string;
    label: { 'zh-CN': string; 'en-US': string };
    icon?: ComponentType;
    group?: 'main' | 'admin';
  };
  routes: { path: string; component: LazyExoticComponent<ComponentType> }[];
  /** A notice shown above every page to users of this feature (renders nothing when all is well). */
  banner?: LazyExoticComponent<ComponentType>;
}
