import { TeamOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'users',
  order: 100,
  permission: 'users:manage',
  menu: {
    path: '/admin/users',
    label: { 'zh-CN': '用户与角色', 'en-US': 'Users & roles' },
    icon: TeamOutlined,
    group: 'admin',
  },
  routes: [{ path: '/admin/users', component: lazy(() => import('./Users.tsx')) }],
};
