import { DatabaseOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'inventory',
  order: 40,
  permission: 'inventory:read',
  menu: { path: '/inventory', label: { 'zh-CN': '库存', 'en-US': 'Inventory' }, icon: DatabaseOutlined },
  routes: [{ path: '/inventory', component: lazy(() => import('./Inventory.tsx')) }],
};
