import { DashboardOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'dashboard',
  order: 10,
  permission: 'orders:read',
  menu: { path: '/dashboard', label: { 'zh-CN': '仪表盘', 'en-US': 'Dashboard' }, icon: DashboardOutlined },
  routes: [{ path: '/dashboard', component: lazy(() => import('./Dashboard.tsx')) }],
};
