import { WarningOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'exceptions',
  order: 40,
  permission: 'orders:read',
  menu: {
    path: '/exceptions',
    label: { 'zh-CN': '异常队列', 'en-US': 'Exception queues' },
    icon: WarningOutlined,
  },
  routes: [{ path: '/exceptions', component: lazy(() => import('./Exceptions.tsx')) }],
};
